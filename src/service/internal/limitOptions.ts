import { knownOptions } from '../../core/validation.js';
import { type NumberRule, numberOptions } from '../../internal/numberOptions.js';
import { type LimitBounds, type LimitBoundsOptions, limitBounds } from './limitBounds.js';

/** The smoothing both latency-based algorithms take: how far a sample moves the limit, in `(0, 1]`. */
export function smoothingRule(fallback: number): NumberRule<never> {
  return {
    fallback,
    expected: 'a number above 0 and at most 1',
    accepts: (value) => value > 0 && value <= 1,
  };
}

/**
 * Reads a limit algorithm's options, when the algorithm is created, in one place for all three:
 * refuses any option but the bounds, the keys of `rules` and `others` (in that order in the error);
 * checks the bounds (see {@link limitBounds}); then each rule in order, filling in its default. Every
 * error names `name(options).option` and the value. `others` are the options the algorithm checks
 * itself (a function, say).
 */
export function limitOptions<K extends string>(
  options: LimitBoundsOptions | undefined,
  name: string,
  defaults: LimitBounds,
  rules: Readonly<Record<K, NumberRule<NoInfer<K>>>>,
  others: readonly string[] = [],
): LimitBounds & Readonly<Record<K, number>> {
  const argument = `${name}(options)`;
  const given = knownOptions(options, ['initial', 'min', 'max', ...Object.keys(rules), ...others], argument);
  return { ...limitBounds(given, defaults, argument), ...numberOptions(given, argument, rules) };
}
