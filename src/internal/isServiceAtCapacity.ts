import { isBackpressureError } from '../errors/BackpressureError.js';
import type { ServiceAtCapacityError } from '../errors/ServiceAtCapacityError.js';

/**
 * Tells the handshake's refusal by brand and code rather than `instanceof`: the refusal comes from a
 * service the caller supplies, which another installed copy of this package (or the other of its ESM
 * and CJS builds) may have raised.
 */
export function isServiceAtCapacity(error: unknown): error is ServiceAtCapacityError {
  return isBackpressureError(error) && error.code === 'ERR_SERVICE_AT_CAPACITY';
}
