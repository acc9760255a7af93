import type { SchedulerLike } from 'rxjs';

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
