import type { Observable, SchedulerLike } from 'rxjs';
import type { FlowMonitor } from '../monitor/FlowMonitor.js';

/**
 * Options of {@link TrackedService}.
 *
 * @example
 * ```ts
 * import { FlowMonitor, TrackedService, type TrackedServiceOptions } from 'rxjs-backpressure';
 *
 * const options: TrackedServiceOptions<string, number> = {
 *   capacity: 4,
 *   handler: async (url, signal) => (await fetch(url, { signal })).status,
 *   monitor: new FlowMonitor({ name: 'fetcher' }),
 * };
 * const fetcher = new TrackedService(options);
 * ```
 */
export interface TrackedServiceOptions<Req, Res> {
  /**
   * How many calls may run at once: a non-negative safe integer, `0` meaning "closed", or `Infinity`
   * for no limit.
   */
  readonly capacity: number;
  /**
   * The work. It may return a Promise, an Observable (its last value is the result) or a plain value,
   * or throw. `signal` aborts when the caller's signal aborts.
   */
  readonly handler: (req: Req, signal: AbortSignal) => Promise<Res> | Observable<Res> | Res;
  /**
   * Reports this service's calls in flight, capacity, utilization and latency (p50/p99 of the recent
   * calls, timed by the monitor's clock) to the monitor. One service per monitor.
   */
  readonly monitor?: FlowMonitor | undefined;
  /**
   * Milliseconds a call may run (positive, at most 2^31 - 1): then the handler's signal aborts with a
   * `CallTimeoutError`, the slot is freed and the call rejects with that error at once, even when the
   * handler ignores the signal. Default: no limit.
   */
  readonly timeout?: number | undefined;
  /** The timers for `timeout`. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
}
