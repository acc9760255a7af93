import { defer, finalize, type MonoTypeOperatorFunction, Observable, type TeardownLogic, tap } from 'rxjs';
import type { CreditProvider } from '../core/CreditProvider.js';
import { describeValue, isPositiveCount, numberOption, optionalFunction } from '../core/validation.js';
import { BackpressureError } from '../errors/BackpressureError.js';
import { type CreditAccount, type DirectCreditSignal, takeGrants } from '../internal/subscribeCredits.js';
import type { UpstreamHandlers } from '../internal/subscribeSafely.js';
import { creditsInUse } from './internal/creditsInUse.js';
import { creditsUnmetered } from './internal/creditsUnmetered.js';
import { rateCreditsSettings } from './internal/rateCreditsSettings.js';
import { TokenBucket } from './internal/TokenBucket.js';
import type { RateCreditsOptions } from './RateCreditsOptions.js';

/** The consumer holding the bucket, and its account of credit when it keeps one. */
interface Taker {
  readonly handlers: UpstreamHandlers<number>;
  readonly account: CreditAccount | undefined;
}

/**
 * A token bucket as a credit provider: credit accrues at `perSecond` up to `burst`, and goes to the
 * consumer of `credits$` as soon as a whole credit has accrued.
 *
 * Unlike `interval(...)` used as a credit signal, it never piles up credit while the consumer is idle:
 * credit granted and not yet spent counts against `burst`, so the bucket must learn what was spent.
 * `requestCredits(bucket)`, `pullFrom(source, bucket)` and `shareWithCredits(...).branch(bucket)` tell
 * it themselves, as they spend each credit (one per item or read, or `cost(item)`): nothing more is
 * needed. An item whose `cost` is above `burst` could never pass: `requestCredits` errors with a
 * `RangeError` rather than wait for it.
 *
 * Any other consumer (code of your own subscribed to `credits$`, the operators of another copy of this
 * package) cannot tell it: put {@link RateCredits.meter} right after the stage that spends the credit,
 * so that the meter is subscribed before the consumer takes the bucket. A consumer that cannot tell the bucket,
 * arriving while no meter is subscribed, gets a {@link BackpressureError} of code
 * `'ERR_CREDITS_UNMETERED'` at once, where the bucket would have filled once and then stalled.
 *
 * - `credits$` takes one consumer at a time (a second one errors with `'ERR_CREDITS_IN_USE'`); credit
 *   granted to a consumer that leaves unspent goes back into the bucket for the next one.
 * - {@link RateCredits.pause} stops accrual and granting, {@link RateCredits.resume} restarts them from
 *   that moment (the pause earns nothing). Credit already granted stays granted.
 * - One timer at a time, set for the next whole credit (at least 1 ms apart); none while the bucket is
 *   full, paused, or nobody subscribes. Accrual is computed from the scheduler's clock, so a late timer
 *   loses nothing: over a long run exactly `perSecond` credits a second are granted while they are spent.
 *
 * ```text
 * perSecond 1000, burst 3, strategy 'drop'; idle until 50 ms, then ten items at once, then one a ms:
 * items:   --- ... ---(0123456789)abcde
 * output:  --- ... ---(012)-------abcde     the burst (3) at once, then one a ms
 * ```
 *
 * @example
 * ```ts
 * import { interval } from 'rxjs';
 * import { rateCredits, requestCredits } from 'rxjs-backpressure';
 *
 * const bucket = rateCredits({ perSecond: 100, burst: 10 });
 * interval(1)
 *   .pipe(requestCredits(bucket, { strategy: 'drop' }))
 *   .subscribe((n) => console.log(n)); // 100 a second, at most 10 at once after a quiet spell
 * ```
 */
export class RateCredits implements CreditProvider {
  /** The grants: whole credits as they accrue. One consumer at a time. */
  readonly credits$: Observable<number>;

  readonly #bucket: TokenBucket;
  #taker: Taker | undefined;
  /** Subscribed {@link RateCredits.meter} operators: a consumer that cannot report spending needs one. */
  #meters = 0;

  constructor(options: RateCreditsOptions) {
    this.#bucket = new TokenBucket(rateCreditsSettings(options), () => {
      this.#grant();
      this.#schedule();
    });
    const take = (handlers: UpstreamHandlers<number>, account?: CreditAccount): TeardownLogic =>
      this.#take(handlers, account);
    // The direct channel (as on a CreditController's credits$): how requestCredits reports spending.
    this.credits$ = Object.assign(new Observable<number>((subscriber) => this.#take(subscriber, undefined)), {
      [takeGrants]: take,
    }) satisfies DirectCreditSignal;
  }

  /** Credit granted and not yet spent. */
  get outstanding(): number {
    return this.#bucket.outstanding;
  }

  /** Whether accrual and granting are paused. */
  get paused(): boolean {
    return this.#bucket.paused;
  }

  /**
   * An operator that tells the bucket one credit was spent per item it passes (or `cost(item)`, a
   * positive safe integer), for a consumer that cannot tell it: put it right after the stage of your
   * own that spends this bucket's credit. Spending more than is outstanding errors its output with a
   * `RangeError`. Behind `requestCredits(bucket)` or `pullFrom(source, bucket)`, which tell the bucket
   * themselves, it passes items through and counts nothing.
   */
  meter<T>(cost?: (item: T) => number): MonoTypeOperatorFunction<T> {
    const costOf = optionalFunction(cost, 'meter(cost)');
    return (source) =>
      defer(() => {
        this.#meters++;
        return source.pipe(
          tap((item: T) => {
            if (this.#taker?.account === undefined) this.#spend(costOf === undefined ? 1 : costOf(item));
          }),
          finalize(() => {
            this.#meters--;
          }),
        );
      });
  }

  /** Stops accrual and granting until {@link RateCredits.resume}. */
  pause(): void {
    if (this.#bucket.paused) return;
    this.#bucket.pause();
  }

  /** Restarts accrual from now; the pause itself earns nothing. */
  resume(): void {
    if (!this.#bucket.paused) return;
    this.#bucket.resume();
    this.#grant();
    this.#schedule();
  }

  /**
   * @param account The consumer's account of credit: `requestCredits`, `pullFrom` and
   *   `shareWithCredits` branches keep one, through which the bucket learns what they spend; any other consumer needs a meter.
   */
  #take(handlers: UpstreamHandlers<number>, account: CreditAccount | undefined): TeardownLogic {
    if (this.#taker !== undefined) {
      handlers.error(creditsInUse('RateCredits'));
      return undefined;
    }
    if (account === undefined && this.#meters === 0) {
      handlers.error(creditsUnmetered());
      return undefined;
    }
    const taker: Taker = { handlers, account };
    this.#taker = taker;
    if (account !== undefined) {
      account.onSpend = (n) => this.#spentBy(taker, n);
      account.ceiling = this.#bucket.burst;
    }
    this.#bucket.catchUp();
    this.#grant();
    this.#schedule();
    return () => {
      if (this.#taker !== taker) return;
      if (account !== undefined) {
        account.onSpend = undefined;
        account.ceiling = Number.POSITIVE_INFINITY;
      }
      this.#taker = undefined;
      this.#bucket.refund();
    };
  }

  /** A meter counts `n` credits spent: room for more, granted at once if it has accrued. */
  #spend(n: number): void {
    numberOption(n, 'meter(cost): cost(item)', 'a positive safe integer', isPositiveCount);
    if (n > this.#bucket.outstanding) {
      throw new RangeError(
        `meter(cost): ${describeValue(n)} spent, more than the ${this.#bucket.outstanding} credits outstanding; put the meter right after the stage that spends this bucket's credit, and only there.`,
      );
    }
    this.#bucket.catchUp();
    this.#bucket.spent(n);
    this.#grant();
    this.#schedule();
  }

  /**
   * The taker reports `n` credits spent, in the middle of delivering an item: room for more, granted
   * by the timer rather than now, so no grant reaches the taker before that item is delivered.
   */
  #spentBy(taker: Taker, n: number): void {
    if (this.#taker !== taker) return;
    this.#bucket.catchUp();
    this.#bucket.spent(n);
    this.#schedule();
  }

  /** Hands every whole accrued credit to the taker. */
  #grant(): void {
    const taker = this.#taker;
    if (taker === undefined) return;
    const whole = this.#bucket.grantWhole();
    if (whole > 0) taker.handlers.next(whole);
  }

  /** The bucket's timer, while a taker is there to be granted what accrues. */
  #schedule(): void {
    if (this.#taker !== undefined) this.#bucket.wakeWhenDue();
  }
}

/**
 * Creates a {@link RateCredits} token bucket: credit at `perSecond`, at most `burst` at once, that never
 * accumulates beyond `burst` while the consumer is idle. Bad options throw a `TypeError` or
 * `RangeError` naming the option.
 *
 * @example
 * ```ts
 * import { range } from 'rxjs';
 * import { rateCredits, requestCredits } from 'rxjs-backpressure';
 *
 * const bucket = rateCredits({ perSecond: 20, burst: 5 });
 * range(0, 100)
 *   .pipe(requestCredits(bucket))
 *   .subscribe((n) => console.log(n)); // 0-4 at once, then 20 a second
 * ```
 */
export function rateCredits(options: RateCreditsOptions): RateCredits {
  return new RateCredits(options);
}
