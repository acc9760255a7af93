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

/**
 * A credit signal on its own, or a provider of one: what every consumer operator accepts.
 *
 * @example
 * ```ts
 * import { interval, map, range } from 'rxjs';
 * import { CreditController, type CreditSource, requestCredits } from 'rxjs-backpressure';
 *
 * const controlled: CreditSource = new CreditController({ initial: 5 });
 * const paced: CreditSource = interval(1_000).pipe(map(() => 10)); // ten more items every second
 * range(0, 100).pipe(requestCredits(paced)).subscribe((item) => console.log(item));
 * ```
 */
export type CreditSource = CreditProvider | Observable<number>;
