import {
  type MonoTypeOperatorFunction,
  Observable,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
  tap,
} from 'rxjs';
import { BackpressureError } from '../errors/BackpressureError.js';
import { describeValue } from '../internal/describeValue.js';
import { numberOption } from '../internal/numberOption.js';
import { optionalFunction, optionsObject, refuseUnknownKeys } from '../internal/resolveBufferOptions.js';
import { schedulerOption } from '../internal/schedulerOption.js';
import type { CreditProvider } from './CreditProvider.js';

/**
 * Options of {@link rateCredits}.
 *
 * @example
 * ```ts
 * import type { RateCreditsOptions } from 'rxjs-backpressure';
 *
 * const options: RateCreditsOptions = { perSecond: 50, burst: 10 }; // 50 items/s, at most 10 at once
 * ```
 */
export interface RateCreditsOptions {
  /** Credits added per second, a positive finite number (fractions allowed: `0.5` is one every 2 s). */
  readonly perSecond: number;
  /**
   * The bucket's size, a positive safe integer (default 1): outstanding credit (granted, not yet spent)
   * plus credit not yet granted never exceed it, so at most `burst` items can go at once.
   */
  readonly burst?: number;
  /** Credit in the bucket at the start, an integer from 0 to `burst`. Default `burst` (a full bucket). */
  readonly initial?: number;
  /** The clock and timers. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** A token, in thousandths, so that whole milliseconds at a whole rate accrue without rounding. */
const unit = 1000;
const optionKeys = ['perSecond', 'burst', 'initial', 'scheduler'];

/**
 * A token bucket as a credit provider: credit accrues at `perSecond` up to `burst`, and goes to the
 * subscriber of `credits$` as soon as a whole credit has accrued.
 *
 * Unlike `interval(...)` used as a credit signal, it never piles up credit while the consumer is idle:
 * credit granted and not yet spent counts against `burst`, so the bucket must learn what was spent.
 * Put {@link RateCredits.meter} right after the stage that spends the credit (it counts one credit per
 * item, or `cost(item)`), or call {@link RateCredits.spend} yourself. Without either the bucket fills
 * once and then grants nothing more: a stall.
 *
 * - `credits$` takes one subscriber at a time (a second one errors with `'ERR_CREDITS_IN_USE'`); credit
 *   granted to a subscriber that leaves unspent goes back into the bucket for the next one.
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
 *   .pipe(requestCredits(bucket, { strategy: 'drop' }), bucket.meter())
 *   .subscribe((n) => console.log(n)); // 100 a second, at most 10 at once after a quiet spell
 * ```
 */
export class RateCredits implements CreditProvider {
  /** The grants: whole credits as they accrue. One subscriber at a time. */
  readonly credits$: Observable<number>;

  readonly #perSecond: number;
  readonly #burst: number;
  readonly #scheduler: SchedulerLike;
  /** Accrued credit not yet granted, in thousandths of a credit. */
  #accrued: number;
  #outstanding = 0;
  /** When accrual was last brought up to date. */
  #since: number;
  #paused = false;
  #taker: Subscriber<number> | undefined;
  #timer: Subscription | undefined;

  constructor(options: RateCreditsOptions) {
    const given = optionsObject(options, 'rateCredits(options)');
    refuseUnknownKeys(given, optionKeys, 'rateCredits(options)');
    this.#perSecond = numberOption(
      given.perSecond,
      'rateCredits(options).perSecond',
      'a positive finite number',
      (value) => value > 0 && Number.isFinite(value),
    );
    this.#burst = numberOption(
      given.burst ?? 1,
      'rateCredits(options).burst',
      'a positive safe integer',
      (value) => Number.isSafeInteger(value) && value >= 1,
    );
    const initial = numberOption(
      given.initial ?? this.#burst,
      'rateCredits(options).initial',
      `an integer from 0 to burst (${this.#burst})`,
      (value) => Number.isSafeInteger(value) && value >= 0 && value <= this.#burst,
    );
    this.#scheduler = schedulerOption(given.scheduler, 'rateCredits(options).scheduler');
    this.#accrued = initial * unit;
    this.#since = this.#scheduler.now();
    this.credits$ = new Observable<number>((subscriber) => this.#take(subscriber));
  }

  /** Credit granted and not yet spent. */
  get outstanding(): number {
    return this.#outstanding;
  }

  /** Whether accrual and granting are paused. */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Tells the bucket that `n` granted credits were spent (a positive safe integer, default 1), which
   * makes room for more. Spending more than is outstanding throws a `RangeError`.
   */
  spend(n = 1): void {
    numberOption(
      n,
      'spend(n): n',
      'a positive safe integer',
      (value) => Number.isSafeInteger(value) && value >= 1,
    );
    if (n > this.#outstanding) {
      throw new RangeError(
        `spend(n): n is ${describeValue(n)}, more than the ${this.#outstanding} credits outstanding; spend only what was granted.`,
      );
    }
    this.#catchUp();
    this.#outstanding -= n;
    this.#grant();
    this.#schedule();
  }

  /**
   * An operator that spends one credit per item it passes (or `cost(item)`), to put right after the
   * stage that spends this bucket's credit (`requestCredits(bucket)`, `pullFrom(source, bucket)`).
   */
  meter<T>(cost?: (item: T) => number): MonoTypeOperatorFunction<T> {
    const costOf = optionalFunction(cost, 'meter(cost)');
    return tap((item: T) => this.spend(costOf === undefined ? 1 : costOf(item)));
  }

  /** Stops accrual and granting until {@link RateCredits.resume}. */
  pause(): void {
    if (this.#paused) return;
    this.#catchUp();
    this.#paused = true;
    this.#cancelTimer();
  }

  /** Restarts accrual from now; the pause itself earns nothing. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#since = this.#scheduler.now();
    this.#grant();
    this.#schedule();
  }

  #take(subscriber: Subscriber<number>): () => void {
    if (this.#taker !== undefined) {
      subscriber.error(
        new BackpressureError(
          'ERR_CREDITS_IN_USE',
          'This RateCredits already has a subscriber; a grant is never spent twice, so credits$ takes one subscriber at a time.',
        ),
      );
      return () => undefined;
    }
    this.#taker = subscriber;
    this.#catchUp();
    this.#grant();
    this.#schedule();
    return () => {
      if (this.#taker !== subscriber) return;
      this.#taker = undefined;
      this.#cancelTimer();
      this.#catchUp();
      // Granted to a subscriber that left without spending it: back into the bucket.
      this.#accrued += this.#outstanding * unit;
      this.#outstanding = 0;
    };
  }

  /** Brings accrual up to now: never beyond what `burst` leaves room for. */
  #catchUp(): void {
    const now = this.#scheduler.now();
    if (!this.#paused) {
      const room = (this.#burst - this.#outstanding) * unit;
      this.#accrued = Math.min(room, this.#accrued + (now - this.#since) * this.#perSecond);
    }
    this.#since = now;
  }

  /** Hands every whole accrued credit to the subscriber. */
  #grant(): void {
    const taker = this.#taker;
    if (taker === undefined || this.#paused) return;
    const whole = Math.floor(this.#accrued / unit);
    if (whole === 0) return;
    this.#accrued -= whole * unit;
    this.#outstanding += whole;
    taker.next(whole);
  }

  /** One timer, due when the next whole credit has accrued; none when nothing can accrue. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#taker === undefined || this.#paused) return;
    if (this.#outstanding >= this.#burst) return;
    const delay = Math.max(1, Math.ceil((unit - this.#accrued) / this.#perSecond));
    this.#timer = this.#scheduler.schedule(() => {
      this.#timer = undefined;
      this.#catchUp();
      this.#grant();
      this.#schedule();
    }, delay);
  }

  #cancelTimer(): void {
    this.#timer?.unsubscribe();
    this.#timer = undefined;
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
 *   .pipe(requestCredits(bucket), bucket.meter())
 *   .subscribe((n) => console.log(n)); // 0-4 at once, then 20 a second
 * ```
 */
export function rateCredits(options: RateCreditsOptions): RateCredits {
  return new RateCredits(options);
}
