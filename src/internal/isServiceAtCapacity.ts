import { isBackpressureError } from '../errors/BackpressureError.js';
import type { ServiceAtCapacityError } from '../errors/ServiceAtCapacityError.js';

/**
 * Tells the handshake's refusal by brand and code rather than `instanceof`, so a refusal raised by
 * another copy of this package (or by the copy bundled into another entry point) counts too.
 */
export function isServiceAtCapacity(error: unknown): error is ServiceAtCapacityError {
  return isBackpressureError(error) && error.code === 'ERR_SERVICE_AT_CAPACITY';
}
