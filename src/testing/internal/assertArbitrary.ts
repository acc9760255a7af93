import type { Arbitrary } from 'fast-check';
import { objectWithMembers } from '../../core/validation.js';

/** Checks that `items` is a fast-check arbitrary, by shape (another copy of fast-check works too). */
export function assertArbitrary(items: unknown, argument: string): void {
  objectWithMembers<Arbitrary<unknown>>(
    items,
    { generate: 'function', shrink: 'function' },
    argument,
    'a fast-check Arbitrary',
  );
}
