import type { Service } from '../core/Service.js';
import { objectWithMembers } from '../core/validation.js';

/**
 * Checks the shape of a {@link Service} (by its methods, so any object or class will do); `expected`
 * names what the caller asks for when it is more than a plain service.
 */
export function assertService(
  value: unknown,
  argument: string,
  expected = 'a Service with isReady() and do(req)',
): asserts value is Service<unknown, unknown> {
  objectWithMembers<Service<unknown, unknown>>(
    value,
    { isReady: 'function', do: 'function' },
    argument,
    expected,
  );
}
