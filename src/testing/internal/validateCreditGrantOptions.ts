import { isNonNegativeCount, isPositiveCount, numberOption, optionsObject } from '../../core/validation.js';
import type { CreditGrantOptions, CreditGrantsOptions } from '../CreditGrantsOptions.js';

/** {@link CreditGrantOptions} checked, with every default filled in. */
export interface ResolvedCreditGrantOptions {
  readonly max: number;
  readonly unboundedRate: number;
  readonly hugeRate: number;
}

const isRate = (value: number): boolean => value >= 0 && value <= 1;

/** Both shares of unusual grants default to the same small rate, so most grants stay ordinary. */
const defaultRate = 0.03;

/** Checks the shape of one grant, naming `argument` (e.g. `'flowScenario(items, options).grants'`). */
export function validateCreditGrantOptions(
  given: CreditGrantOptions | undefined,
  argument: string,
): ResolvedCreditGrantOptions {
  const options = optionsObject(given, argument);
  const max = numberOption(options.max ?? 4, `${argument}.max`, 'a positive safe integer', isPositiveCount);
  const rate = (name: 'unboundedRate' | 'hugeRate'): number =>
    numberOption(options[name] ?? defaultRate, `${argument}.${name}`, 'a rate from 0 to 1', isRate);
  const unboundedRate = rate('unboundedRate');
  const hugeRate = rate('hugeRate');
  if (unboundedRate + hugeRate > 1) {
    throw new RangeError(
      `${argument}.unboundedRate + ${argument}.hugeRate must be at most 1, got ${unboundedRate} + ${hugeRate}.`,
    );
  }
  return { max, unboundedRate, hugeRate };
}

/** Checks the options of `creditGrants`: the grant's shape plus the array's length bounds. */
export function validateCreditGrantsOptions(
  given: CreditGrantsOptions | undefined,
  argument: string,
): { grant: ResolvedCreditGrantOptions; minLength: number; maxLength: number } {
  const options = optionsObject(given, argument);
  // Both lengths are counts with a lower bound: zero for the fewest, the fewest for the most.
  const length = (name: 'minLength' | 'maxLength', fallback: number, least: number, expected: string) =>
    numberOption(
      options[name] ?? fallback,
      `${argument}.${name}`,
      expected,
      (value) => isNonNegativeCount(value) && value >= least,
    );
  const minLength = length('minLength', 0, 0, 'a non-negative integer');
  const maxLength = length(
    'maxLength',
    Math.max(10, minLength),
    minLength,
    `a non-negative integer at least minLength (${minLength})`,
  );
  return { grant: validateCreditGrantOptions(options, argument), minLength, maxLength };
}
