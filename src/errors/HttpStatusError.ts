import { BackpressureError } from './BackpressureError.js';

/**
 * An HTTP answer that is neither a success nor a capacity refusal (those are
 * `ServiceAtCapacityError`s), as {@link httpService} raises it: `status` and `url` tell which.
 * `retryable` is true for a server error (5xx), which may pass, and false for a client error (4xx),
 * which the same request will meet again.
 *
 * @example
 * ```ts
 * import { HttpStatusError } from 'rxjs-backpressure';
 *
 * const error = new HttpStatusError(500, 'https://example.com/orders/7');
 * console.log(error.code, error.status, error.retryable); // 'ERR_HTTP_STATUS' 500 true
 * ```
 */
export class HttpStatusError extends BackpressureError {
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The URL that answered. */
  readonly url: string;
  /** Whether trying again may help: a server error (5xx) may pass, a client error (4xx) will not. */
  readonly retryable: boolean;

  constructor(status: number, url: string, message?: string) {
    super('ERR_HTTP_STATUS', message ?? `${url} answered with HTTP status ${status}.`);
    this.status = status;
    this.url = url;
    this.retryable = status >= 500;
  }
}
