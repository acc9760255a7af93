import { hasMembers } from '../core/validation.js';

/**
 * Tells an `AbortSignal` by shape rather than `instanceof`, so a signal from another realm (a test
 * environment's DOM, an iframe) is accepted too.
 */
export function isAbortSignal(value: unknown): value is AbortSignal {
  return hasMembers<AbortSignal>(value, {
    aborted: 'boolean',
    addEventListener: 'function',
    removeEventListener: 'function',
  });
}
