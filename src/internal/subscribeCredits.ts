import type { Observable, Subscription, TeardownLogic } from 'rxjs';
import { grantError } from './assertGrant.js';
import { subscribeSafely, type UpstreamHandlers } from './subscribeSafely.js';

/**
 * @internal The key of the direct channel on a `CreditController`'s `credits$`. `Symbol()`, not
 * `Symbol.for()`: a controller from another copy of the package carries that copy's key, unknown here,
 * so it is subscribed through `credits$` like any credit signal (and the other copy does the same with
 * ours); copies never reach into each other's state.
 */
export const takeGrants: unique symbol = Symbol('rxjs-backpressure.takeGrants');

/**
 * @internal A consumer's account of the credit it spends. A credit signal that must learn what was
 * spent (a token bucket: credit granted and unspent counts against its burst) sets `onSpend` while
 * the consumer holds it; the consumer calls it with each item's cost as it spends the credit.
 */
export interface SpendingReport {
  onSpend: ((credits: number) => void) | undefined;
}

/**
 * @internal A credit signal that can also hand its grants straight to `taker`, already checked, without
 * a subscriber in between. Same contract as subscribing: one taker at a time (a second one gets
 * `error`), grants kept while nobody takes them arrive first, as one, and the teardown lets go.
 * `spending` is the taker's {@link SpendingReport}, when it keeps one; signals that need not learn
 * spending ignore it.
 */
export interface DirectCreditSignal extends Observable<number> {
  readonly [takeGrants]: (taker: UpstreamHandlers<number>, spending?: SpendingReport) => TeardownLogic;
}

/**
 * Subscribes a consumer of credit (requestCredits, pullFrom) to its credit signal for `owner`: valid
 * grants go to `next`, a bad grant (0, negative, fractional, NaN, not a number) to `error`.
 *
 * The signal of a CreditController of this copy of the package is taken directly: its grants were
 * checked once, by `grant()`, and reach `next` as a plain call, with no subscriber and no second check
 * in between. That matters because at `grant(1)` a grant is made inside the downstream `next` for
 * every item. Its teardown joins `owner` exactly as a subscription would. A consumer that passes its
 * `spending` lets such a signal learn what it spends, so a token bucket needs no meter after it.
 */
export function subscribeCredits(
  signal: Observable<number>,
  owner: Subscription,
  handlers: UpstreamHandlers<number>,
  spending?: SpendingReport,
): void {
  const take = (signal as Partial<DirectCreditSignal>)[takeGrants];
  if (take !== undefined) {
    // Added once taken: if `owner` ended meanwhile, `add` runs the teardown at once.
    owner.add(take(handlers, spending));
    return;
  }
  subscribeSafely(signal, owner, {
    next: (grant) => {
      const invalid = grantError(grant, 'A grant on the credit signal');
      if (invalid === undefined) handlers.next(grant);
      else handlers.error(invalid);
    },
    error: (error) => handlers.error(error),
    complete: () => handlers.complete(),
  });
}
