import type { SchedulerLike } from 'rxjs';

/**
 * Options of {@link RemoteService}. Every one is checked when the service is constructed.
 *
 * @example
 * ```ts
 * import type { RemoteServiceOptions } from 'rxjs-backpressure/http';
 *
 * const options: RemoteServiceOptions = { url: 'https://search.internal/api/', timeout: 2_000 };
 * ```
 */
export interface RemoteServiceOptions {
  /**
   * Where the `handshakeHandler` is served: an absolute `http:` or `https:` URL. The endpoints are
   * resolved below it (`http://host/orders` and `http://host/orders/` both mean `/orders/do`, ...).
   */
  readonly url: string;
  /** The `fetch` to use. Default: the global one. */
  readonly fetch?: typeof fetch;
  /**
   * Milliseconds a `do()` call may take before its request is aborted (it then rejects with a
   * `DOMException` named `'TimeoutError'`), and the credit stream may take to answer when it
   * connects: a positive finite number. Default: no limit.
   */
  readonly timeout?: number;
  /** Where the timers run (call timeouts, reconnection backoff). Default: `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}
