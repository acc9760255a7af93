import { describeValue, numberOption } from '../core/validation.js';

/** One numeric option in a table of them: its default, what it must be, and the check. */
export interface NumberRule<K extends string = string> {
  /** The value when the option is absent; none: the option is required. */
  readonly fallback?: number;
  /** What the value must be, for the error: `'a positive safe integer'`. */
  readonly expected: string;
  readonly accepts: (value: number) => boolean;
  /** An option earlier in the table that this one must exceed (Vegas: `beta` above `alpha`). */
  readonly above?: K;
}

/**
 * Reads the numeric options a table of {@link NumberRule}s names, in the table's order, each through
 * `numberOption` (a `TypeError` or `RangeError` naming `argument.option` and the value), filling in
 * the defaults. For functions with several numeric options, so each reads as a table of what its
 * options must be rather than as a run of look-alike checks.
 */
export function numberOptions<K extends string>(
  given: object,
  argument: string,
  rules: Readonly<Record<K, NumberRule<NoInfer<K>>>>,
): Readonly<Record<K, number>> {
  const options = given as Readonly<Record<string, unknown>>;
  const values: Partial<Record<K, number>> = {};
  for (const key of Object.keys(rules) as K[]) {
    const rule = rules[key];
    const value = numberOption(
      options[key] ?? rule.fallback,
      `${argument}.${key}`,
      rule.expected,
      rule.accepts,
    );
    const floor = rule.above === undefined ? undefined : values[rule.above];
    if (floor !== undefined && value <= floor) {
      throw new RangeError(
        `${argument}.${key} must be greater than ${rule.above} (${floor}), got ${describeValue(value)}.`,
      );
    }
    values[key] = value;
  }
  return values as Record<K, number>;
}
