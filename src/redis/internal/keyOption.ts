import { describeValue } from '../../core/validation.js';

/**
 * Checks a name both Redis helpers take (a key, a stream, a consumer group, a consumer): a non-empty
 * string, or a `TypeError` naming `argument` and the value. Redis would accept `''` and make every
 * process that mistyped its configuration share one nameless key.
 */
export function keyOption(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${argument} must be a non-empty string, got ${describeValue(value)}.`);
  }
  return value;
}
