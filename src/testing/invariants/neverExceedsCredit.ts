import type { Invariant } from '../Invariant.js';

const name = 'neverExceedsCredit';

/**
 * At every delivery, the number of items delivered so far is at most the number of credits granted
 * so far. Mirrors Reactive Streams §1.1 (never more `onNext` than requested).
 */
export const neverExceedsCredit: Invariant = {
  name,
  description:
    'At every delivery, the number of items delivered so far is at most the number of credits granted so far.',
  rule: '§1.1',
  check(trace) {
    for (const [index, event] of trace.events.entries()) {
      if (event.kind !== 'delivered') continue;
      const { delivered, granted } = trace.stateAfter(index + 1);
      if (delivered > granted) {
        return {
          invariant: name,
          message: `delivery number ${delivered} came with only ${granted} credit${granted === 1 ? '' : 's'} granted.`,
          eventIndex: index,
        };
      }
    }
    return undefined;
  },
};
