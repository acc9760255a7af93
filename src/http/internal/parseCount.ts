const digits = /^(?:0|[1-9][0-9]*)$/;

/**
 * Reads a count as the protocol writes it (`String(n)`): a non-negative safe integer or `Infinity`.
 * Anything else (empty, signed, fractional, padded) is `undefined`, because `Number()` would quietly
 * turn `''` into 0 and `' 8'` into 8.
 */
export function parseCount(text: string | null | undefined): number | undefined {
  if (text === 'Infinity') return Number.POSITIVE_INFINITY;
  if (typeof text !== 'string' || !digits.test(text)) return undefined;
  const count = Number(text);
  return Number.isSafeInteger(count) ? count : undefined;
}
