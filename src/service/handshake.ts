import type { Service } from '../core/Service.js';
import { assertService } from '../internal/assertService.js';
import { callService } from '../internal/callService.js';
import { refusalOf } from '../internal/refusalOf.js';

/**
 * The handshake for one piece of work: asks `service.isReady()` and, only when it answers true, calls
 * `service.do(req)`. When it is not ready the promise rejects with a {@link ServiceAtCapacityError}
 * and `do()` is never called, so the work is declined at once rather than queued.
 *
 * `do()` may return a Promise, or an Observable whose last value is the result; an Observable that
 * completes without a value rejects with a `BackpressureError` of code `'ERR_EMPTY_RESULT'`. Anything
 * `isReady()` or `do()` throws becomes the rejection. A `service` without `isReady` and `do` throws a
 * `TypeError` at once.
 *
 * @example
 * ```ts
 * import { handshake, isBackpressureError, TrackedService } from 'rxjs-backpressure';
 *
 * const service = new TrackedService({ capacity: 1, handler: async (n: number) => n * 2 });
 * const first = handshake(service, 21); // admitted: resolves with 42
 * const second = handshake(service, 1); // declined at once, the handler is never called
 * second.catch((error) => {
 *   if (isBackpressureError(error)) console.log(error.code); // 'ERR_SERVICE_AT_CAPACITY'
 * });
 * console.log(await first); // 42
 * ```
 */
export function handshake<Req, Res>(service: Service<Req, Res>, req: Req): Promise<Res> {
  assertService(service, 'handshake(service, req): service');
  try {
    if (!service.isReady()) return Promise.reject(refusalOf(service));
  } catch (error) {
    return Promise.reject(error);
  }
  return callService(service, req);
}
