import type { OperatorFunction } from 'rxjs';
import type { ReadinessProvider } from '../core/ReadinessProvider.js';

/**
 * An operator that is also the demand of the source it reads: put it in a pipeline, and give the same
 * value to {@link pullFrom} as its credits. The loop then closes around whatever lies between the two:
 * the stage is ready while it has a free slot, and a slot frees only when the work of an item is done.
 * What {@link mergeMapWithCredits} returns.
 *
 * @example
 * ```ts
 * import { filter } from 'rxjs';
 * import { type CreditStage, mergeMapWithCredits, pullFrom } from 'rxjs-backpressure';
 *
 * const save: CreditStage<number, void> = mergeMapWithCredits(async (_n: number) => {}, { concurrency: 2 });
 * pullFrom([1, 2, 3, 4], save).pipe(filter((n) => n % 2 === 0), save).subscribe();
 * console.log(save.capacity, save.active); // 2 0
 * ```
 */
export interface CreditStage<T, R> extends OperatorFunction<T, R>, ReadinessProvider {
  /** How many segments may run at once. */
  readonly capacity: number;
  /** Segments running now, over every subscription of the stage. */
  readonly active: number;
}
