/**
 * What one settled call tells a {@link LimitAlgorithm}.
 *
 * @example
 * ```ts
 * import type { LimitSample } from 'rxjs-backpressure';
 *
 * const sample: LimitSample = { latency: 42, inFlight: 8, dropped: false };
 * ```
 */
export interface LimitSample {
  /** Milliseconds from the start of the call until it settled, by the service's clock; `>= 0`. */
  readonly latency: number;
  /** Calls in flight when this one started, itself included: tells a busy service from an idle one. */
  readonly inFlight: number;
  /** Whether the call failed (an error, a refusal from downstream): the strongest sign of overload. */
  readonly dropped: boolean;
}

/**
 * How a concurrency limit follows the service's behaviour: after every settled call `update` receives
 * its {@link LimitSample} and returns the new limit, an integer within `[min, max]`. The limit is
 * mutable state, so one algorithm serves one service: create one per `AdaptiveService`.
 *
 * Built in: {@link aimdLimit} (loss based), {@link gradientLimit} (long-term against short-term
 * latency) and {@link vegasLimit} (queue estimate from the minimum latency).
 *
 * @example
 * ```ts
 * import type { LimitAlgorithm, LimitSample } from 'rxjs-backpressure';
 *
 * // Halve on a failure, otherwise grow by one, between 1 and 64.
 * function halvingLimit(): LimitAlgorithm {
 *   let limit = 8;
 *   return {
 *     min: 1,
 *     max: 64,
 *     get limit() {
 *       return limit;
 *     },
 *     update(sample: LimitSample) {
 *       limit = sample.dropped ? Math.max(1, Math.floor(limit / 2)) : Math.min(64, limit + 1);
 *       return limit;
 *     },
 *   };
 * }
 * ```
 */
export interface LimitAlgorithm {
  /** The smallest limit it ever sets, at least 1. */
  readonly min: number;
  /** The largest limit it ever sets. */
  readonly max: number;
  /** The current limit. */
  readonly limit: number;
  /** Learns from one settled call and returns the new limit. */
  update(sample: LimitSample): number;
}
