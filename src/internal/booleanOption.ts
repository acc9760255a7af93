import { describeValue } from './describeValue.js';

/**
 * Checks a boolean option when the function that takes it is called: a `TypeError` naming `argument`
 * and the value otherwise. Returns the value, so defaults are filled in before the check
 * (`options.x ?? true`).
 */
export function booleanOption(value: unknown, argument: string): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${argument} must be a boolean, got ${describeValue(value)}.`);
  }
  return value;
}
