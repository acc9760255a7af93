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
