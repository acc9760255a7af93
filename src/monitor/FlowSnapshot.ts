import type { CircuitState } from '../core/CircuitState.js';
import type { DropReason } from '../core/DropReason.js';

/**
 * What a {@link FlowMonitor} sees at one moment. Counts (`received`, `delivered`, `dropped`) add up over
 * every subscription the monitored stage has had (a `retry` or `repeat` continues them), and the loss
 * ledger holds in every snapshot: `received = delivered + dropped (all reasons) + buffered`. The other
 * figures are the state now; those of services are present only when a service tells them.
 *
 * @example
 * ```ts
 * import { FlowMonitor } from 'rxjs-backpressure';
 *
 * const snapshot = new FlowMonitor({ name: 'orders' }).snapshot();
 * const dropped = Object.values(snapshot.dropped).reduce((sum, n) => sum + n, 0);
 * console.log(snapshot.received === snapshot.delivered + dropped + snapshot.buffered); // true
 * ```
 */
export interface FlowSnapshot {
  /** The monitor's name. */
  readonly name: string;
  /** When the snapshot was taken, by the monitor's scheduler (ms). */
  readonly at: number;
  /** Items the stage received from its source. */
  readonly received: number;
  /** Items the stage let through (for `withHandshake`: handed to the service). */
  readonly delivered: number;
  /** Items waiting in the stage's buffer now. */
  readonly buffered: number;
  /** For `pullFrom`: whether its source has not ended yet, so items may be read from it. */
  readonly sourceOpen?: boolean;
  /** The most items the stage's buffer holds (1 under `'latest'`, 0 under `'drop'` and `'error'`). */
  readonly bufferSize?: number;
  /** Items dropped, by reason. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /**
   * Credit granted and not yet spent (`Infinity` when unbounded); for `withHandshake`, the service's
   * free room when it tells its capacity. 0 when no stage is attached.
   */
  readonly outstandingCredit: number;
  /** Calls running now: all of the monitored service's, else the `withHandshake` stage's own. */
  readonly inFlight?: number;
  /** How many calls the service takes at once. */
  readonly capacity?: number;
  /** `inFlight / capacity` of the service (1 when its capacity is 0, above 1 after lowering it). */
  readonly utilization?: number;
  /** Items delivered per second over the last interval. */
  readonly throughput: number;
  /** Latency percentiles of the service's recent calls, in ms (nearest rank over the last 1024 calls). */
  readonly latency?: { readonly p50: number; readonly p99: number };
  /** The circuit breaker's state. */
  readonly breaker?: CircuitState;
}
