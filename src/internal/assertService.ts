import type { Service } from '../core/Service.js';
import { describeValue } from '../core/validation.js';

/**
 * Checks the shape of a {@link Service} (by its methods, so any object or class will do); `expected`
 * names what the caller asks for when it is more than a plain service.
 */
export function assertService(
  value: unknown,
  argument: string,
  expected = 'a Service with isReady() and do(req)',
): asserts value is Service<unknown, unknown> {
  const candidate = value as Partial<Service<unknown, unknown>> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.isReady !== 'function' ||
    typeof candidate.do !== 'function'
  ) {
    throw new TypeError(`${argument} must be ${expected}, got ${describeValue(value)}.`);
  }
}
