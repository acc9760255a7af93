import * as fc from 'fast-check';
import { creditGrant } from './internal/creditGrant.js';
import { validateCreditGrantsOptions } from './internal/validateCreditGrantOptions.js';

/**
 * How {@link creditGrants} (and the grants of {@link flowScenario}) shape one grant.
 *
 * @example
 * ```ts
 * import type { CreditGrantOptions } from 'rxjs-backpressure/testing';
 *
 * const grants: CreditGrantOptions = { max: 16, unboundedRate: 0, hugeRate: 0.1 };
 * ```
 */
export interface CreditGrantOptions {
  /** The largest ordinary grant, a positive safe integer. Default 4: small grants exercise partial flows. */
  readonly max?: number | undefined;
  /** Share of grants that are `Infinity` (unbounded demand), from 0 to 1. Default 0.03. */
  readonly unboundedRate?: number | undefined;
  /**
   * Share of grants between 2^52 and `Number.MAX_SAFE_INTEGER`, from 0 to 1, so that two of them add up
   * beyond the safe range (which means unbounded too). Default 0.03.
   */
  readonly hugeRate?: number | undefined;
}

/**
 * Options of {@link creditGrants}: the shape of one grant, and how many.
 *
 * @example
 * ```ts
 * import type { CreditGrantsOptions } from 'rxjs-backpressure/testing';
 *
 * const options: CreditGrantsOptions = { minLength: 1, maxLength: 3, max: 2 };
 * ```
 */
export interface CreditGrantsOptions extends CreditGrantOptions {
  /** Fewest grants, a non-negative integer. Default 0. */
  readonly minLength?: number | undefined;
  /** Most grants, a non-negative integer at least `minLength`. Default 10. */
  readonly maxLength?: number | undefined;
}

/**
 * A fast-check arbitrary of credit grants as a consumer would make them: positive safe integers
 * (`1..max`), with `Infinity` and huge values mixed in at tunable rates. It shrinks towards small
 * ordinary grants. Bad options throw a `RangeError` or `TypeError` naming the option at once.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { creditGrants } from 'rxjs-backpressure/testing';
 *
 * fc.assert(
 *   fc.property(creditGrants({ maxLength: 5, unboundedRate: 0.1 }), (grants) =>
 *     grants.every((n) => n === Number.POSITIVE_INFINITY || (Number.isSafeInteger(n) && n > 0)),
 *   ),
 * );
 * ```
 */
export function creditGrants(options?: CreditGrantsOptions): fc.Arbitrary<number[]> {
  const { grant, minLength, maxLength } = validateCreditGrantsOptions(options, 'creditGrants(options)');
  return fc.array(creditGrant(grant), { minLength, maxLength });
}
