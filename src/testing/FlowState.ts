/**
 * The ledger of a {@link FlowTrace} after some of its events: what a user checks by hand. `held` is
 * what the pipeline has received but neither delivered nor reported dropped (buffered, or in flight);
 * `outstanding` is credit granted and not yet spent (`Infinity` once unbounded, negative after an
 * over-delivery).
 *
 * @example
 * ```ts
 * import { runScenario } from 'rxjs-backpressure/testing';
 *
 * const trace = runScenario({ initialCredit: 1, steps: [{ at: 0, kind: 'emit', item: 'a' }] }, (source) => source);
 * const { received, delivered, held, outstanding } = trace.finalState;
 * console.log(received, delivered, held, outstanding); // 1 1 0 0
 * ```
 */
export interface FlowState {
  /** Virtual time of the last event counted. */
  readonly at: number;
  readonly received: number;
  readonly delivered: number;
  readonly dropped: number;
  /** `received - delivered - dropped`. */
  readonly held: number;
  /** Total credit granted; `Infinity` after an `Infinity` grant or a total beyond `MAX_SAFE_INTEGER`. */
  readonly granted: number;
  /** `granted - delivered`. */
  readonly outstanding: number;
  /** Subscriptions to the source still open. */
  readonly sourceSubscriptions: number;
  /** Subscriptions to the credit signal still open. */
  readonly creditSubscriptions: number;
  readonly source: 'open' | 'completed' | 'errored';
  /** The first way the output ended, if it did. */
  readonly output: 'open' | 'completed' | 'errored' | 'unsubscribed';
}
