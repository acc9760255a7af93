import type { FlowMonitor } from '../monitor/FlowMonitor.js';

/**
 * Options of {@link pullFrom}.
 *
 * @example
 * ```ts
 * import { CreditController, FlowMonitor, pullFrom, type PullFromOptions } from 'rxjs-backpressure';
 *
 * const options: PullFromOptions = { monitor: new FlowMonitor({ name: 'lines', alerts: { stalled: { for: 1000 } } }) };
 * pullFrom(['a', 'b'], new CreditController({ initial: 1 }), options).subscribe();
 * ```
 */
export interface PullFromOptions {
  /**
   * Reports the items read (as received and delivered), the outstanding credit (1 or 0 while a
   * {@link ReadinessProvider} is or is not ready) and whether the source is still open, so the
   * monitor's `stalled` alert can tell a source left waiting for credit that never comes.
   */
  readonly monitor?: FlowMonitor;
}
