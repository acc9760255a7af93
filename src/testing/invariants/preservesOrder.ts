import type { Invariant } from '../Invariant.js';
import { renderValue } from '../internal/renderValue.js';

const name = 'preservesOrder';

/**
 * Items are delivered in the order they were received: the delivered items are a subsequence of the
 * received ones (dropped items may be missing; none is reordered, repeated or invented). Compared
 * with `Object.is`, so it applies to pipelines that deliver the items they receive, in FIFO order
 * (not with `priority`). No Reactive Streams rule.
 */
export const preservesOrder: Invariant = {
  name,
  description:
    'The delivered items are a subsequence of the received items: none is reordered, repeated or invented.',
  rule: undefined,
  check(trace) {
    const received: unknown[] = [];
    let nextCandidate = 0;
    for (const [index, event] of trace.events.entries()) {
      if (event.kind === 'received') received.push(event.item);
      if (event.kind !== 'delivered') continue;
      let match = nextCandidate;
      while (match < received.length && !Object.is(received[match], event.item)) match++;
      if (match === received.length) {
        return {
          invariant: name,
          message: `delivered ${renderValue(event.item)}, which was not received after the items delivered before it.`,
          eventIndex: index,
        };
      }
      nextCandidate = match + 1;
    }
    return undefined;
  },
};
