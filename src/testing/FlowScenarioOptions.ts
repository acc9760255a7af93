import type { CreditGrantOptions } from './CreditGrantsOptions.js';

/**
 * Options of {@link flowScenario}: how long and how varied the timelines are.
 *
 * @example
 * ```ts
 * import type { FlowScenarioOptions } from 'rxjs-backpressure/testing';
 *
 * // Short timelines in one tick, with no source errors and no unbounded grants.
 * const options: FlowScenarioOptions = { maxSteps: 8, maxGap: 0, error: false, grants: { unboundedRate: 0 } };
 * ```
 */
export interface FlowScenarioOptions {
  /** The most steps in one scenario, a non-negative integer. Default 24. */
  readonly maxSteps?: number | undefined;
  /**
   * The largest gap in virtual milliseconds between two steps, a non-negative integer; `0` puts every
   * step in one tick. Default 3. Gaps shrink towards 0, where the interesting interleavings are.
   */
  readonly maxGap?: number | undefined;
  /** The shape of each grant (see {@link creditGrants}). */
  readonly grants?: CreditGrantOptions | undefined;
  /**
   * Whether some grants are made from inside `next` (re-entrant, as Reactive Streams §3.3 allows), by
   * `'grantInNext'` steps. Default `true`.
   */
  readonly reentrantGrants?: boolean | undefined;
  /** Whether some scenarios grant credit before subscribing. Default `true`. */
  readonly initialCredit?: boolean | undefined;
  /** Whether the source may complete. Default `true`. */
  readonly complete?: boolean | undefined;
  /**
   * Whether the source may error. Default `true`. Turn it off for a pipeline that lets go of the items
   * it holds on an error without reporting them (RxJS's `delay` does), or they count as lost.
   */
  readonly error?: boolean | undefined;
  /** Whether the consumer may unsubscribe. Default `true` (the same caveat as `error` applies). */
  readonly unsubscribe?: boolean | undefined;
}
