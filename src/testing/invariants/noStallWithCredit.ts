import type { Invariant } from '../Invariant.js';
import { atQuietMoments } from '../internal/atQuietMoments.js';
import { dropsHint } from '../internal/dropsHint.js';

const name = 'noStallWithCredit';

/**
 * At no quiet moment is an open output both holding a received item and holding unspent credit: an
 * item that can be delivered is delivered before the pipeline goes quiet. No Reactive Streams rule
 * (§1.1 allows a slow publisher; a buffer with credit to spend must not be). Assumes each item costs
 * one credit. A pipeline waiting on a pending virtual timer (`delay(n, scheduler)`) is waiting, not
 * stalled; with an {@link OutputRule}'s `batchSize`, fewer items than a batch may wait while more can
 * come to it.
 */
export const noStallWithCredit: Invariant = {
  name,
  description: 'At no quiet moment does an open output hold both a received item and unspent credit.',
  rule: undefined,
  check(trace) {
    return atQuietMoments(trace, name, ({ output, held, outstanding, source }, timers) => {
      // A pending timer (a `delay`, a `ttl`) will move the pipeline on: it is waiting, not stalled.
      if (output !== 'open' || held === 0 || outstanding <= 0 || timers > 0) return undefined;
      // A batch filling up may hold fewer items than a batch, and the credit they took, while more can
      // come to it: from the source, or from items held upstream without credit (more held than
      // credited). Beyond those, an item held with credit to spare is a stall.
      const filling = source === 'open' || held > outstanding ? trace.batchSize - 1 : 0;
      if (Math.min(held, outstanding) <= filling) return undefined;
      return `the pipeline went quiet with ${held} item${held === 1 ? '' : 's'} neither delivered nor reported dropped, and ${outstanding} unspent credit${outstanding === 1 ? '' : 's'}.${dropsHint(trace)}`;
    });
  },
};
