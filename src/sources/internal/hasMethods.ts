// How pullFrom and writeTo tell a source or a writable by its shape (a web stream has getReader or
// getWriter, a Node.js stream read or write beside on and removeListener): the main entry imports no
// Node.js module, so that it loads in browsers too, and a stream may come from another realm anyway.

/** Whether `value` has a method under each of `keys`. */
export function hasMethods(value: object, ...keys: PropertyKey[]): boolean {
  return keys.every((key) => typeof (value as Record<PropertyKey, unknown>)[key] === 'function');
}
