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
 * @internal A consumer's account of its credit, open to a credit signal that must know how it is spent
 * (a token bucket: credit granted and unspent counts against its burst). While the consumer holds the
 * signal, the signal sets `onSpend`, which the consumer calls with each item's cost as it spends it,
 * and `ceiling`, the most credit it will ever have outstanding: an item costing more could never pass.
 */
export interface CreditAccount {
  onSpend: ((credits: number) => void) | undefined;
  ceiling: number;
}

/**
 * @internal A credit signal that can also hand its grants straight to `taker`, already checked, without
 * a subscriber in between. Same contract as subscribing: one taker at a time (a second one gets
 * `error`), grants kept while nobody takes them arrive first, as one, and the teardown lets go.
 * `account` is the taker's {@link CreditAccount}, when it keeps one; signals that need not know how
 * credit is spent ignore it.
 */
export interface DirectCreditSignal extends Observable<number> {
  readonly [takeGrants]: (taker: UpstreamHandlers<number>, account?: CreditAccount) => TeardownLogic;
}

/**
 * Subscribes a consumer of credit (requestCredits, pullFrom) to its credit signal for `owner`: valid
 * grants go to `next`, a bad grant (0, negative, fractional, NaN, not a number) to `error`.
 *
 * The signal of a CreditController of this copy of the package is taken directly: its grants were
 * checked once, by `grant()`, and reach `next` as a plain call, with no subscriber and no second check
 * in between. That matters because at `grant(1)` a grant is made inside the downstream `next` for
 * every item. Its teardown joins `owner` exactly as a subscription would. A consumer that passes its
 * `account` lets such a signal learn what it spends, so a token bucket needs no meter after it.
 */
export function subscribeCredits(
  signal: Observable<number>,
  owner: Subscription,
  handlers: UpstreamHandlers<number>,
  account?: CreditAccount,
): void {
  const take = (signal as Partial<DirectCreditSignal>)[takeGrants];
  if (take !== undefined) {
    // Added once taken: if `owner` ended meanwhile, `add` runs the teardown at once.
    owner.add(take(handlers, account));
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
