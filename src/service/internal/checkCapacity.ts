import { describeValue, isNonNegativeCount } from '../../core/validation.js';

/**
 * Checks a service's capacity, given as an option or to `setCapacity`: a non-negative safe integer or
 * `Infinity`, else a `TypeError` or `RangeError` naming `argument` and the value. `0` is allowed, as a
 * closed service, so this is not the count check of `core/validation`.
 */
export function checkCapacity(value: unknown, argument: string): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${argument} must be a number, got ${describeValue(value)}.`);
  }
  if (value === Number.POSITIVE_INFINITY || isNonNegativeCount(value)) return value;
  throw new RangeError(
    `${argument} must be a non-negative safe integer (0 closes the service) or Infinity, got ${describeValue(value)}.`,
  );
}
