import * as fc from 'fast-check';
import type { CreditGrantsOptions } from './CreditGrantsOptions.js';
import { creditGrant } from './internal/creditGrant.js';
import { validateCreditGrantsOptions } from './internal/validateCreditGrantOptions.js';

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
