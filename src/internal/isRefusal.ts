import { isBackpressureError } from '../errors/BackpressureError.js';

/**
 * Whether `error` refused work that was never attempted, so retrying it later is always safe: the
 * handshake's `ServiceAtCapacityError` or the circuit breaker's `CircuitOpenError`. Tells them by
 * brand and code, so refusals raised by another copy of this package count too.
 */
export function isRefusal(error: unknown): boolean {
  return (
    isBackpressureError(error) &&
    (error.code === 'ERR_SERVICE_AT_CAPACITY' || error.code === 'ERR_CIRCUIT_OPEN')
  );
}
