import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditGrants } from '../../src/testing/index.js';

const huge = (n: number): boolean => n >= 2 ** 52 && n <= Number.MAX_SAFE_INTEGER;

describe('creditGrants', () => {
  it('draws only valid grants: 1..max, Infinity, or a huge safe integer', () => {
    fc.assert(
      fc.property(creditGrants({ max: 3 }), (grants) =>
        grants.every(
          (n) => (Number.isSafeInteger(n) && n >= 1 && n <= 3) || n === Number.POSITIVE_INFINITY || huge(n),
        ),
      ),
    );
  });

  it('mixes in Infinity and huge values at roughly the requested rates', () => {
    const grants = fc
      .sample(creditGrants({ minLength: 10, maxLength: 10, unboundedRate: 0.2, hugeRate: 0.1 }), {
        numRuns: 300,
        seed: 7,
      })
      .flat();
    const unbounded = grants.filter((n) => n === Number.POSITIVE_INFINITY).length / grants.length;
    const large = grants.filter(huge).length / grants.length;
    expect(unbounded).toBeGreaterThan(0.15);
    expect(unbounded).toBeLessThan(0.25);
    expect(large).toBeGreaterThan(0.06);
    expect(large).toBeLessThan(0.14);
  });

  it('draws only ordinary grants when both rates are 0', () => {
    const grants = fc
      .sample(creditGrants({ unboundedRate: 0, hugeRate: 0, max: 2 }), { numRuns: 200, seed: 1 })
      .flat();
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.every((n) => n === 1 || n === 2)).toBe(true);
  });

  it('keeps the number of grants within minLength and maxLength', () => {
    fc.assert(
      fc.property(
        creditGrants({ minLength: 2, maxLength: 4 }),
        (grants) => grants.length >= 2 && grants.length <= 4,
      ),
    );
  });

  it('shrinks a failing Infinity down to the smallest ordinary grant that still fails', () => {
    const details = fc.check(
      fc.property(creditGrants({ unboundedRate: 0.5 }), (grants) => grants.every((n) => n < 3)),
      { seed: 3 },
    );
    expect(details.counterexample).toEqual([[3]]);
  });

  it.each([
    [{ max: 0 }, RangeError, 'creditGrants(options).max must be a positive safe integer, got 0.'],
    [
      { unboundedRate: 2 },
      RangeError,
      'creditGrants(options).unboundedRate must be a rate from 0 to 1, got 2.',
    ],
    [
      { hugeRate: '0.1' },
      TypeError,
      "creditGrants(options).hugeRate must be a rate from 0 to 1, got '0.1' (string).",
    ],
    [{ unboundedRate: 0.6, hugeRate: 0.6 }, RangeError, 'must be at most 1, got 0.6 + 0.6.'],
    [
      { minLength: 3, maxLength: 2 },
      RangeError,
      'creditGrants(options).maxLength must be a non-negative integer at least minLength (3), got 2.',
    ],
    ['lots', TypeError, "creditGrants(options) must be an object, got 'lots' (string)."],
  ])('refuses the bad options %o with a typed error naming them', (options, type, message) => {
    expect(() => creditGrants(options as never)).toThrow(type);
    expect(() => creditGrants(options as never)).toThrow(message);
  });
});
