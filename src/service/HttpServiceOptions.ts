import type { SchedulerLike } from 'rxjs';
import type { FlowMonitor } from '../monitor/FlowMonitor.js';

/**
 * Options of {@link httpService}. Every one is checked when `httpService` is called.
 *
 * @example
 * ```ts
 * import type { HttpServiceOptions } from 'rxjs-backpressure';
 *
 * const options: HttpServiceOptions<unknown> = {
 *   capacity: 8,
 *   timeout: 10_000,
 *   read: (response) => response.json(),
 * };
 * ```
 */
export interface HttpServiceOptions<Res> {
  /**
   * Requests in flight at once, as for a {@link TrackedService}: a non-negative safe integer or
   * `Infinity` (the default).
   */
  readonly capacity?: number;
  /**
   * Milliseconds a request may take (positive, at most 2^31 - 1): then it is aborted and rejects with
   * a `CallTimeoutError`, and its slot is free. Default: no limit.
   */
  readonly timeout?: number;
  /** Turns a successful `Response` (status below 400) into the result. Default: the `Response` itself. */
  readonly read?: (response: Response) => Res | Promise<Res>;
  /**
   * The clock that dates `Retry-After` and quota resets, and the timer that wakes `credits$` at a
   * reset (and times `timeout`). Default `asyncScheduler`, whose clock is `Date.now()`.
   */
  readonly scheduler?: SchedulerLike;
  /** Reports the requests in flight, capacity, utilization and latency, as a `TrackedService` does. */
  readonly monitor?: FlowMonitor;
}
