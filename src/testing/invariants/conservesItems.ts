import type { Invariant } from '../Invariant.js';
import { atQuietMoments } from '../internal/atQuietMoments.js';
import { dropsHint, heldReleasedWithOutput } from '../internal/dropsHint.js';

const name = 'conservesItems';

/**
 * Every received item is delivered or reported dropped: delivered + dropped never exceeds received,
 * and once the output has ended (completed, errored or unsubscribed) they are equal at the next quiet
 * moment. No Reactive Streams rule (it lets a publisher drop silently); this is the library's loss
 * ledger, `received = delivered + dropped + held`.
 */
export const conservesItems: Invariant = {
  name,
  description:
    'Delivered plus reported-dropped items never exceed received items, and equal them once the output has ended.',
  rule: undefined,
  check(trace) {
    for (const [index] of trace.events.entries()) {
      const { received, delivered, dropped } = trace.stateAfter(index + 1);
      if (delivered + dropped > received) {
        return {
          invariant: name,
          message: `${delivered} delivered + ${dropped} dropped is more than the ${received} received.`,
          eventIndex: index,
        };
      }
    }
    return atQuietMoments(trace, name, ({ output, held, received, delivered, dropped }) =>
      output !== 'open' && held !== 0 && !heldReleasedWithOutput(trace, output)
        ? `the output ended (${output}) with ${held} of ${received} received item${received === 1 ? '' : 's'} neither delivered (${delivered}) nor reported dropped (${dropped}).${dropsHint(trace)}`
        : undefined,
    );
  },
};
