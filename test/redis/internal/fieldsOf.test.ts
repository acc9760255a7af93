import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldsOf } from '../../../src/redis/internal/fieldsOf.js';

const name = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'id'), fc.string());

describe('fieldsOf', () => {
  it('makes the record Object.fromEntries would make of the pairs: later duplicates win, every name an own field', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.string())), (pairs) => {
        const fields = fieldsOf(pairs.flat());
        expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
        expect(Object.entries(fields)).toEqual(Object.entries(Object.fromEntries(pairs)));
      }),
    );
  });

  it('keeps a field named __proto__ as a field, not as the prototype', () => {
    const fields = fieldsOf(['__proto__', 'x', 'n', '1']);
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.keys(fields)).toEqual(['__proto__', 'n']);
    expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toBe('x');
  });

  it('gives an empty record for an entry deleted while pending (null fields)', () => {
    expect(fieldsOf(null)).toEqual({});
  });
});
