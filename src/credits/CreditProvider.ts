import type { Observable } from 'rxjs';

/**
 * Anything that advertises demand as a credit signal: each value `n` of `credits$` means "`n` more
 * items may be sent" (Reactive Streams' `request(n)`); `Infinity` means unbounded.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import type { CreditProvider } from 'rxjs-backpressure';
 *
 * const fixed: CreditProvider = { credits$: of(10) }; // exactly ten items, ever
 * ```
 */
export interface CreditProvider {
  /** The credit signal: grants that add up. */
  readonly credits$: Observable<number>;
}

/** A credit signal on its own, or a provider of one: what every consumer operator accepts. */
export type CreditSource = CreditProvider | Observable<number>;
