import type { Invariant } from '../Invariant.js';
import { atQuietMoments } from '../internal/atQuietMoments.js';

const name = 'releasesOnUnsubscribe';

/**
 * Once the output has ended (unsubscribed, completed or errored), by the next quiet moment the source
 * and the credit signal are unsubscribed and no item is held (each one left was reported dropped).
 * Mirrors Reactive Streams §3.13 (cancel drops every reference to the subscriber) and §1.6 (a
 * terminal signal cancels).
 */
export const releasesOnUnsubscribe: Invariant = {
  name,
  description:
    'Once the output has ended, the source and the credit signal are unsubscribed and no item is held.',
  rule: '§3.13, §1.6',
  check(trace) {
    return atQuietMoments(trace, name, ({ output, sourceSubscriptions, creditSubscriptions, held }) => {
      if (output === 'open') return undefined;
      const kept = [
        sourceSubscriptions > 0
          ? `${sourceSubscriptions} source subscription${sourceSubscriptions === 1 ? '' : 's'}`
          : '',
        creditSubscriptions > 0
          ? `${creditSubscriptions} credit subscription${creditSubscriptions === 1 ? '' : 's'}`
          : '',
        held > 0 ? `${held} unreported item${held === 1 ? '' : 's'}` : '',
      ].filter((part) => part !== '');
      return kept.length === 0
        ? undefined
        : `the output ended (${output}) but ${kept.join(', ')} still held.`;
    });
  },
};
