import { ServiceAtCapacityError } from '../errors/ServiceAtCapacityError.js';
import { serviceLoad } from './serviceLoad.js';

/**
 * The handshake's refusal for `service`, telling the capacity and the load when the service exposes
 * `capacity` and `active` as numbers (a `TrackedService` or an `AdaptiveService` does).
 */
export function refusalOf(service: object): ServiceAtCapacityError {
  return new ServiceAtCapacityError(serviceLoad(service) ?? {});
}
