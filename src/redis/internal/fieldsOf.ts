/**
 * The fields of a stream entry as Redis answers them, `[field, value, ...]` (or `null` for an entry
 * deleted while pending), as one record: what a delivery and a dead letter both show.
 */
export function fieldsOf(flat: readonly string[] | null): Record<string, string> {
  // A plain object (one without prototype is built in V8's slow dictionary mode), with a field named
  // __proto__ defined as an own property rather than assigned, which would set the prototype.
  const fields: Record<string, string> = {};
  if (flat === null) return fields;
  for (let index = 0; index + 1 < flat.length; index += 2) {
    const name = flat[index] as string;
    const value = flat[index + 1] as string;
    if (name === '__proto__') {
      Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
    } else {
      fields[name] = value;
    }
  }
  return fields;
}
