import { BackpressureError } from './BackpressureError.js';

/**
 * What a {@link ServiceAtCapacityError} may tell about the refusal.
 *
 * @example
 * ```ts
 * import { type ServiceAtCapacityDetails, ServiceAtCapacityError } from 'rxjs-backpressure';
 *
 * const details: ServiceAtCapacityDetails = { capacity: 4, active: 4, retryAfter: 1_000 };
 * console.log(new ServiceAtCapacityError(details).message);
 * // 'The service is at capacity (4 of 4 in flight); retry after 1000 ms.'
 * ```
 */
export interface ServiceAtCapacityDetails {
  /** Milliseconds after which the service suggests trying again (from `Retry-After`, for example). */
  readonly retryAfter?: number;
  /** The service's capacity when it refused. */
  readonly capacity?: number;
  /** Work in flight when it refused. */
  readonly active?: number;
}

/**
 * The handshake's "no": the service is at capacity, so the work was declined at once without being
 * attempted. `retryWithBackoff` retries these by default and honours `retryAfter`.
 *
 * @example
 * ```ts
 * import { ServiceAtCapacityError } from 'rxjs-backpressure';
 *
 * const error = new ServiceAtCapacityError({ capacity: 8, active: 8, retryAfter: 250 });
 * console.log(error.code, error.retryAfter); // 'ERR_SERVICE_AT_CAPACITY' 250
 * ```
 */
export class ServiceAtCapacityError extends BackpressureError {
  readonly retryAfter: number | undefined;
  readonly capacity: number | undefined;
  readonly active: number | undefined;

  constructor(details: ServiceAtCapacityDetails = {}, message?: string) {
    const load =
      details.capacity === undefined ? '' : ` (${details.active ?? '?'} of ${details.capacity} in flight)`;
    const retry = details.retryAfter === undefined ? '' : `; retry after ${details.retryAfter} ms`;
    super('ERR_SERVICE_AT_CAPACITY', message ?? `The service is at capacity${load}${retry}.`);
    this.retryAfter = details.retryAfter;
    this.capacity = details.capacity;
    this.active = details.active;
  }
}
