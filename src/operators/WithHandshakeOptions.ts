import type { FlowMonitor } from '../monitor/FlowMonitor.js';
import type { BufferOptions } from './BufferOptions.js';

/**
 * Options of {@link withHandshake}: the shared {@link BufferOptions} (what to do with items while the
 * service is not ready) plus the order of results.
 *
 * @example
 * ```ts
 * import type { WithHandshakeOptions } from 'rxjs-backpressure';
 *
 * const options: WithHandshakeOptions<string> = { bufferSize: 64, overflow: 'drop-oldest', ordered: true };
 * const perAccount: WithHandshakeOptions<{ account: string }> = {
 *   ordered: 'per-key',
 *   key: (transfer) => transfer.account, // in order per account, accounts in parallel
 * };
 * ```
 */
export interface WithHandshakeOptions<T> extends BufferOptions<T> {
  /**
   * `true`: results come out in the order their items came in (a result waits for those before it).
   * `'per-key'` (with `key`): in that order within each key only, so keys (accounts, devices) run in
   * parallel and a slow call holds back only later results of its own key. Default `false`: in the
   * order the calls finish, like `mergeMap`.
   */
  readonly ordered?: boolean | 'per-key';
  /**
   * Reports this stage to the monitor while subscribed: its counts (received, delivered, buffered,
   * dropped by reason), its own calls in flight, and the service's capacity and utilization when the
   * service tells them (numeric `capacity` and `active`). Read only when a snapshot is taken, so the
   * stage does no extra work per item. A monitor watches one stage at a time: a second concurrent
   * subscription errors with a `BackpressureError` of code `'ERR_MONITOR_IN_USE'`.
   */
  readonly monitor?: FlowMonitor;
}
