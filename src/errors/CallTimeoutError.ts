import { BackpressureError } from './BackpressureError.js';

/**
 * A call took longer than its `timeout` (of {@link TrackedService}, {@link withHandshake} or
 * {@link httpService}): its `AbortSignal` was aborted with this error, its slot freed, and the caller
 * got this error instead of a result. `timeout` is the limit in milliseconds that was exceeded.
 *
 * @example
 * ```ts
 * import { CallTimeoutError } from 'rxjs-backpressure';
 *
 * const error = new CallTimeoutError(2_000);
 * console.log(error.code, error.timeout); // 'ERR_CALL_TIMEOUT' 2000
 * ```
 */
export class CallTimeoutError extends BackpressureError {
  /** The limit, in milliseconds, that the call exceeded. */
  readonly timeout: number;

  constructor(timeout: number, message?: string) {
    super('ERR_CALL_TIMEOUT', message ?? `The call did not settle within ${timeout} ms.`);
    this.timeout = timeout;
  }
}
