import { describe, expect, it } from 'vitest';
import { numberOptions } from '../../src/internal/numberOptions.js';

const positive = (value: number): boolean => value > 0;

describe('numberOptions', () => {
  it('reads every option of the table, filling in the defaults of the absent ones', () => {
    expect(
      numberOptions({ ratio: 0.5 }, 'f(options)', {
        ratio: { fallback: 0.9, expected: 'a ratio', accepts: positive },
        count: { fallback: 3, expected: 'a count', accepts: positive },
      }),
    ).toEqual({ ratio: 0.5, count: 3 });
  });

  it('refuses a required option that is absent with a TypeError naming it', () => {
    expect(() =>
      numberOptions({}, 'f(options)', { rate: { expected: 'a positive number', accepts: positive } }),
    ).toThrow(new TypeError('f(options).rate must be a positive number, got undefined.'));
  });

  it('refuses a value of the wrong type with a TypeError, one out of range with a RangeError', () => {
    const rules = { count: { fallback: 1, expected: 'a positive number', accepts: positive } };
    expect(() => numberOptions({ count: '2' }, 'f(options)', rules)).toThrow(
      new TypeError("f(options).count must be a positive number, got '2' (string)."),
    );
    expect(() => numberOptions({ count: -2 }, 'f(options)', rules)).toThrow(
      new RangeError('f(options).count must be a positive number, got -2.'),
    );
  });

  it('checks in the order of the table, so the first bad option in it is the one named', () => {
    expect(() =>
      numberOptions({ b: -1, a: -1 }, 'f(options)', {
        a: { fallback: 1, expected: 'positive', accepts: positive },
        b: { fallback: 1, expected: 'positive', accepts: positive },
      }),
    ).toThrow('f(options).a must be positive');
  });

  it('refuses an option that must exceed an earlier one and does not, naming both values', () => {
    const rules = {
      alpha: { fallback: 3, expected: 'positive', accepts: positive },
      beta: { fallback: 6, expected: 'positive', accepts: positive, above: 'alpha' as const },
    };
    expect(() => numberOptions({ beta: 3 }, 'g(options)', rules)).toThrow(
      new RangeError('g(options).beta must be greater than alpha (3), got 3.'),
    );
    expect(numberOptions({ alpha: 1, beta: 2 }, 'g(options)', rules)).toEqual({ alpha: 1, beta: 2 });
  });
});
