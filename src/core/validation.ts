/**
 * The one validation module: every public function checks its arguments and options with these, when
 * it is called, so each bad input gets the same message style — a `TypeError` for a wrong shape, a
 * `RangeError` for a value out of range, both naming the argument and the value.
 */

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

/**
 * Checks a numeric option when the function that takes it is called: a `TypeError` when it is not a
 * number, a `RangeError` when `accepts` refuses it, both naming `argument`, what was `expected` and the
 * value. Returns the value, so defaults are filled in before the check (`options.x ?? 5`).
 */
export function numberOption(
  value: unknown,
  argument: string,
  expected: string,
  accepts: (value: number) => boolean,
): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${argument} must be ${expected}, got ${describeValue(value)}.`);
  }
  if (!accepts(value)) throw new RangeError(`${argument} must be ${expected}, got ${describeValue(value)}.`);
  return value;
}

/**
 * Checks a boolean option when the function that takes it is called: a `TypeError` naming `argument`
 * and the value otherwise. Returns the value, so defaults are filled in before the check
 * (`options.x ?? true`).
 */
export function booleanOption(value: unknown, argument: string): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${argument} must be a boolean, got ${describeValue(value)}.`);
  }
  return value;
}

/** Checks that `value` is an object (the options bag itself), naming it otherwise. */
export function optionsObject<O extends object>(value: O | undefined, argument: string): O | Partial<O> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${argument} must be an object, got ${describeValue(value)}.`);
  }
  return value;
}

/**
 * A misspelt option (`buffersize`) would otherwise be ignored without a word, and the buffer would
 * silently keep its default: refuse it, and point at the option it most likely meant.
 */
export function refuseUnknownKeys(options: object, known: readonly string[], argument: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const meant = known.find((name) => name.toLowerCase() === key.toLowerCase());
    throw new TypeError(
      `${argument}.${key} is not an option here${meant === undefined ? '' : ` (did you mean ${meant}?)`}; the options are ${known.join(', ')}.`,
    );
  }
}

/**
 * The options bag of a public function, checked in one step: an object (or absent, read as `{}`) whose
 * every key is one of `known` (see {@link optionsObject} and {@link refuseUnknownKeys}).
 */
export function knownOptions<O extends object>(
  value: O | undefined,
  known: readonly string[],
  argument: string,
): O | Partial<O> {
  const options = optionsObject(value, argument);
  refuseUnknownKeys(options, known, argument);
  return options;
}

/** Checks that `value` is one of `allowed`: a `TypeError` for a non-string, a `RangeError` otherwise. */
export function oneOf<V extends string>(value: unknown, allowed: readonly V[], argument: string): V {
  if (typeof value !== 'string') {
    throw new TypeError(`${argument} must be one of ${allowed.join(', ')}; got ${describeValue(value)}.`);
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${argument} must be one of ${allowed.join(', ')}; got ${describeValue(value)}.`);
  }
  return value as V;
}

/** Checks that an optional callback is a function, naming it otherwise. */
export function optionalFunction<F>(value: F | undefined, argument: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${argument} must be a function, got ${describeValue(value)}.`);
  }
  return value;
}

/** What `typeof` must say of each member a shape check names. */
export type MemberTypes<O> = { readonly [K in keyof O]?: 'function' | 'string' | 'boolean' };

/**
 * Whether `value` is an object whose `members` have the given `typeof`. A check by shape rather than
 * `instanceof`, so an object from another copy of a library (or another realm) passes too.
 */
export function hasMembers<O extends object>(value: unknown, members: MemberTypes<O>): value is O {
  if (typeof value !== 'object' || value === null) return false;
  for (const key in members) {
    if (typeof (value as Record<string, unknown>)[key] !== members[key]) return false;
  }
  return true;
}

/**
 * Checks an argument by shape (see {@link hasMembers}): a `TypeError` naming `argument`, what was
 * `expected` and the value otherwise. Returns the value.
 */
export function objectWithMembers<O extends object>(
  value: unknown,
  members: MemberTypes<O>,
  argument: string,
  expected: string,
): O {
  if (!hasMembers(value, members)) {
    throw new TypeError(`${argument} must be ${expected}, got ${describeValue(value)}.`);
  }
  return value;
}

/** Whether `value` counts something of which there is at least one: a safe integer `>= 1`. */
export function isPositiveCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}

/** Whether `value` counts something that may be absent: a safe integer `>= 0`. */
export function isNonNegativeCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
