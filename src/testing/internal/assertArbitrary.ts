import { describeValue } from '../../core/validation.js';

/** Checks that `items` is a fast-check arbitrary, by shape (another copy of fast-check works too). */
export function assertArbitrary(items: unknown, argument: string): void {
  const candidate = items as { generate?: unknown; shrink?: unknown } | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.generate !== 'function' ||
    typeof candidate.shrink !== 'function'
  ) {
    throw new TypeError(`${argument} must be a fast-check Arbitrary, got ${describeValue(items)}.`);
  }
}
