import { isObservable } from 'rxjs';
import type { BridgeSource } from '../core/BridgeOptions.js';
import { describeValue } from '../core/validation.js';
import { resolveShareOptions } from './internal/resolveShareOptions.js';
import { SharedSource } from './internal/SharedSource.js';
import type { SharedWithCredits } from './SharedWithCredits.js';
import type { ShareWithCreditsOptions } from './ShareWithCreditsOptions.js';

/**
 * Multicasts one source to any number of branches, each paced by its own credits, and reads the
 * source at the pace `policy` picks from the branches' demand:
 *
 * - `'slowest'` (default): the source is granted only what every branch has room for, so with a
 *   source that honours credit (the factory form, `(credits) => pullFrom(...)`) no branch is ever sent
 *   more than it granted and the source is read at the slowest branch's pace (Akka's BroadcastHub).
 * - `'fastest'`: the branch with the most room drives the source; items reach slower branches without
 *   credit and follow their own strategy (`'latest'`, `'drop'`, a bounded buffer), drops reported per
 *   branch through its `onDrop`.
 * - `'quorum'`: as soon as `quorum` branches have room (all of them while fewer are subscribed).
 *
 * ```text
 * source (pullFrom):  0 1 2 3 ...
 * fast credits:       3--------1-1-1-
 * slow credits:       1-----1-------1-
 * 'slowest' fast:     0-----1-------2-     the source is read at the slow branch's pace
 * 'fastest' fast:     (012)----3-4-5-
 * 'fastest' slow:     0-----2-------5-     strategy 'latest': 1, 3 and 4 are reported 'replaced'
 * ```
 *
 * - Branches join and leave at any time; a branch leaving frees the others at once. The source is
 *   subscribed when the first branch subscribes (or the `startAfter`-th) and released when the last
 *   one leaves (as `share()` does); a branch receives what is read after it joined; when it completes or errors every branch finishes (after delivering what it holds), and
 *   the next branch starts it afresh.
 * - Over a plain Observable the policy cannot slow the source: every branch applies its strategy.
 * - The source's credit is counted per item in flight: once it was granted `Infinity` (a branch with
 *   unbounded credit set the pace) it stays unbounded.
 * - A branch's credit signal ending with its credit spent takes it out of the pace: it will never take
 *   another item, so it does not stall the others.
 *
 * Throws a `TypeError` or `RangeError` naming the argument for a bad source or options.
 *
 * @example
 * ```ts
 * import { CreditController, pullFrom, shareWithCredits } from 'rxjs-backpressure';
 *
 * function* readings() {
 *   for (let n = 0; n < 1_000; n++) yield n;
 * }
 * const shared = shareWithCredits((credits) => pullFrom(readings(), credits), { policy: 'fastest' });
 * const fast = new CreditController({ initial: Number.POSITIVE_INFINITY });
 * const slow = new CreditController({ initial: 1 });
 * shared.branch(fast).subscribe((n) => console.log('fast', n));
 * shared
 *   .branch(slow, { strategy: 'latest', onDrop: (n, reason) => console.log('slow dropped', n, reason) })
 *   .subscribe((n) => setTimeout(() => slow.grant(1), 10));
 * ```
 */
export function shareWithCredits<T>(
  source: BridgeSource<T>,
  options?: ShareWithCreditsOptions,
): SharedWithCredits<T> {
  if (typeof source !== 'function' && !isObservable(source)) {
    throw new TypeError(
      `shareWithCredits(source): source must be an Observable or a function from a CreditProvider to an Observable, got ${describeValue(source)}.`,
    );
  }
  return new SharedSource(source, resolveShareOptions(options));
}
