import { isNonNegativeCount } from '../../core/validation.js';

/**
 * Whether `value` is a count as the handshake protocol carries one: a non-negative safe integer, or
 * `Infinity` (an unbounded capacity, a grant of everything). The handler checks the provider's load
 * and the lease book the grants of its `credits$` with it, so both agree on what a count is.
 */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && (value === Number.POSITIVE_INFINITY || isNonNegativeCount(value));
}
