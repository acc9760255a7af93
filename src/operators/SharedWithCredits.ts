import type { Observable } from 'rxjs';
import type { BufferOptions } from '../core/BufferOptions.js';
import type { CreditSource } from '../core/CreditProvider.js';

/**
 * A source shared by {@link shareWithCredits}: each {@link SharedWithCredits.branch} is one consumer
 * with its own credits.
 *
 * @example
 * ```ts
 * import { CreditController, pullFrom, type SharedWithCredits, shareWithCredits } from 'rxjs-backpressure';
 *
 * const shared: SharedWithCredits<number> = shareWithCredits((credits) => pullFrom([1, 2, 3], credits));
 * shared.branch(new CreditController({ initial: 3 })).subscribe((n) => console.log(n));
 * ```
 */
export interface SharedWithCredits<T> {
  /**
   * One consumer of the shared source, paced by its own `credits` (a provider or a credit signal):
   * never more items than it granted. Items that reach it without credit (sent at another branch's
   * pace under `'fastest'` or `'quorum'`, from a plain Observable, or requested before it joined)
   * follow its `options` exactly as in `requestCredits`, each drop reported through `onDrop`.
   * Subscribing joins, unsubscribing leaves; bad options throw here.
   */
  branch(credits: CreditSource, options?: BufferOptions<T>): Observable<T>;
  /** How many branches are subscribed now. */
  readonly branches: number;
}
