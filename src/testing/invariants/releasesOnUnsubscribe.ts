import type { Invariant } from '../Invariant.js';
import { atQuietMoments } from '../internal/atQuietMoments.js';
import { dropsHint, heldReleasedWithOutput } from '../internal/dropsHint.js';

const name = 'releasesOnUnsubscribe';

/**
 * Once the output has ended (unsubscribed, completed or errored), by the next quiet moment the source
 * and the credit signal are unsubscribed, no virtual timer is left pending, and no item is held (each
 * one left was reported dropped; when the pipeline never read `context.onDrop`, items held when the
 * output was unsubscribed or errored count as released with it).
 * Mirrors Reactive Streams §3.13 (cancel drops every reference to the subscriber) and §1.6 (a
 * terminal signal cancels).
 */
export const releasesOnUnsubscribe: Invariant = {
  name,
  description:
    'Once the output has ended, the source and the credit signal are unsubscribed, no timer is pending and no item is held.',
  rule: '§3.13, §1.6',
  check(trace) {
    return atQuietMoments(trace, name, (state, timers) => {
      const { output, sourceSubscriptions, creditSubscriptions, held } = state;
      if (output === 'open') return undefined;
      const unreported = heldReleasedWithOutput(trace, output) ? 0 : held;
      const left = [
        sourceSubscriptions > 0 ? `${plural(sourceSubscriptions, 'source subscription')} open` : '',
        creditSubscriptions > 0 ? `${plural(creditSubscriptions, 'credit subscription')} open` : '',
        timers > 0 ? `${plural(timers, 'virtual timer')} pending` : '',
        unreported > 0 ? `${plural(unreported, 'received item')} neither delivered nor reported dropped` : '',
      ].filter((part) => part !== '');
      if (left.length === 0) return undefined;
      const listed = left.length === 1 ? left.join('') : `${left.slice(0, -1).join(', ')} and ${left.at(-1)}`;
      return `the output ended (${output}) but left ${listed}.${unreported > 0 ? dropsHint(trace) : ''}`;
    });
  },
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
