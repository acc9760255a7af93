import { numberOption } from './numberOption.js';
import { longestTimer } from './retryWait.js';

/** Checks a `timeout` option: positive milliseconds a timer can wait (at most 2^31 - 1). */
export function timeoutOption(value: unknown, argument: string): number {
  return numberOption(
    value,
    argument,
    `a positive number of milliseconds up to ${longestTimer}`,
    (n) => n > 0 && n <= longestTimer,
  );
}
