/**
 * Renders any value for an error message: strings quoted, the type named when it is not a number, so
 * `'3' (string)` and `3` can never be confused.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
    case 'bigint':
    case 'boolean':
      return typeof value === 'number' ? String(value) : `${String(value)} (${typeof value})`;
    case 'string':
      return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}' (string)`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return `${value.toString()} (symbol)`;
    default:
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
  }
}
