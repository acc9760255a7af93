import { describeValue } from './describeValue.js';

/**
 * Checks a numeric option when the function that takes it is called: a `TypeError` when it is not a
 * number, a `RangeError` when `accepts` refuses it, both naming `argument`, what was `expected` and the
 * value. Returns the value, so defaults are filled in before the check (`options.x ?? 5`).
 */
export function numberOption(
  value: unknown,
  argument: string,
  expected: string,
  accepts: (value: number) => boolean,
): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${argument} must be ${expected}, got ${describeValue(value)}.`);
  }
  if (!accepts(value)) throw new RangeError(`${argument} must be ${expected}, got ${describeValue(value)}.`);
  return value;
}
