import type { Invariant } from '../Invariant.js';
import { atQuietMoments } from '../internal/atQuietMoments.js';

const name = 'noStallWithCredit';

/**
 * At no quiet moment is an open output both holding a received item and holding unspent credit: an
 * item that can be delivered is delivered before the pipeline goes quiet. No Reactive Streams rule
 * (§1.1 allows a slow publisher; a buffer with credit to spend must not be). Assumes each item costs
 * one credit.
 */
export const noStallWithCredit: Invariant = {
  name,
  description: 'At no quiet moment does an open output hold both a received item and unspent credit.',
  rule: undefined,
  check(trace) {
    return atQuietMoments(trace, name, ({ output, held, outstanding }) =>
      output === 'open' && held > 0 && outstanding > 0
        ? `the pipeline went quiet with ${held} item${held === 1 ? '' : 's'} neither delivered nor reported dropped, and ${outstanding} unspent credit${outstanding === 1 ? '' : 's'}.`
        : undefined,
    );
  },
};
