/**
 * Tells an `AbortSignal` by shape rather than `instanceof`, so a signal from another realm (a test
 * environment's DOM, an iframe) is accepted too.
 *
 * Written out rather than through `hasMembers`, the one shape check of the options: this runs on every
 * call of a service, and walking a table of members there cost withHandshake a tenth of its throughput.
 */
export function isAbortSignal(value: unknown): value is AbortSignal {
  const candidate = value as Partial<AbortSignal> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.aborted === 'boolean' &&
    typeof candidate.addEventListener === 'function' &&
    typeof candidate.removeEventListener === 'function'
  );
}
