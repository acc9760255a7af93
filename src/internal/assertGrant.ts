import { describeValue } from '../core/validation.js';

/**
 * Checks one grant: a positive safe integer, or `Infinity` for unbounded demand. Returns the error to
 * raise (a `TypeError` for a non-number, a `RangeError` for a bad number) or `undefined` when the grant
 * is valid, so callers decide whether to throw it or deliver it through `error`.
 */
export function grantError(value: unknown, argument: string): TypeError | RangeError | undefined {
  if (typeof value !== 'number') {
    return new TypeError(`${argument} must be a number of credits, got ${describeValue(value)}.`);
  }
  if (value === Number.POSITIVE_INFINITY || (Number.isSafeInteger(value) && value > 0)) return undefined;
  return new RangeError(
    `${argument} must be a positive safe integer or Infinity, got ${describeValue(value)}.`,
  );
}

/** Throws {@link grantError}'s error at the call site when `value` is not a valid grant. */
export function assertGrant(value: unknown, argument: string): asserts value is number {
  const error = grantError(value, argument);
  if (error !== undefined) throw error;
}
