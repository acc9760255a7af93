import { isNonNegativeCount, isPositiveCount, numberOption, optionsObject } from '../../core/validation.js';
import type { CreditGrantOptions, CreditGrantsOptions } from '../CreditGrantsOptions.js';

/** {@link CreditGrantOptions} checked, with every default filled in. */
export interface ResolvedCreditGrantOptions {
  readonly max: number;
  readonly unboundedRate: number;
  readonly hugeRate: number;
}

const isRate = (value: number): boolean => value >= 0 && value <= 1;

/** Checks the shape of one grant, naming `argument` (e.g. `'flowScenario(items, options).grants'`). */
export function validateCreditGrantOptions(
  given: CreditGrantOptions | undefined,
  argument: string,
): ResolvedCreditGrantOptions {
  const options = optionsObject(given, argument);
  const max = numberOption(options.max ?? 4, `${argument}.max`, 'a positive safe integer', isPositiveCount);
  const unboundedRate = numberOption(
    options.unboundedRate ?? 0.03,
    `${argument}.unboundedRate`,
    'a rate from 0 to 1',
    isRate,
  );
  const hugeRate = numberOption(
    options.hugeRate ?? 0.03,
    `${argument}.hugeRate`,
    'a rate from 0 to 1',
    isRate,
  );
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
  const minLength = numberOption(
    options.minLength ?? 0,
    `${argument}.minLength`,
    'a non-negative integer',
    isNonNegativeCount,
  );
  const maxLength = numberOption(
    options.maxLength ?? Math.max(10, minLength),
    `${argument}.maxLength`,
    `a non-negative integer at least minLength (${minLength})`,
    (value) => isNonNegativeCount(value) && value >= minLength,
  );
  return { grant: validateCreditGrantOptions(options, argument), minLength, maxLength };
}
