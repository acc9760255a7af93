import type { Invariant } from '../Invariant.js';
import { atQuietMoments } from '../internal/atQuietMoments.js';
import { dropsHint } from '../internal/dropsHint.js';

const name = 'drainsBeforeComplete';

/**
 * The output completes only once nothing is held, and completes by the quiet moment at which the
 * source has completed and every received item has been delivered or reported dropped. Mirrors
 * Reactive Streams §1.5 (a finished stream signals `onComplete`) and §2.9 (completion needs no credit).
 */
export const drainsBeforeComplete: Invariant = {
  name,
  description:
    'The output completes only when nothing is held, and as soon as the source has completed and nothing is held.',
  rule: '§1.5, §2.9',
  check(trace) {
    const index = trace.events.findIndex((event) => event.kind === 'completed');
    if (index !== -1) {
      const { held } = trace.stateAfter(index);
      if (held > 0) {
        return {
          invariant: name,
          message: `the output completed while ${held} received item${held === 1 ? ' was' : 's were'} neither delivered nor reported dropped.${dropsHint(trace)}`,
          eventIndex: index,
        };
      }
    }
    return atQuietMoments(trace, name, ({ source, output, held }) =>
      source === 'completed' && output === 'open' && held === 0
        ? 'the source completed and nothing is held, yet the output has not completed.'
        : undefined,
    );
  },
};
