import { serviceLoad } from '../core/serviceLoad.js';
import { ServiceAtCapacityError } from '../errors/ServiceAtCapacityError.js';

/**
 * The handshake's refusal for `service`, telling the capacity and the load when the service exposes
 * `capacity` and `active` as numbers (a `TrackedService` or an `AdaptiveService` does).
 */
export function refusalOf(service: object): ServiceAtCapacityError {
  return new ServiceAtCapacityError(serviceLoad(service) ?? {});
}
