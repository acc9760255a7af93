import type { WithHandshakeOptions } from './WithHandshakeOptions.js';

/**
 * Options of {@link mergeMapWithCredits}: how many segments run at once, plus everything
 * {@link withHandshake} takes (the shared {@link BufferOptions} of the buffer that holds items arriving
 * while every slot is busy, `ordered`, `monitor`).
 *
 * @example
 * ```ts
 * import type { MergeMapWithCreditsOptions } from 'rxjs-backpressure';
 *
 * const options: MergeMapWithCreditsOptions<string[]> = { concurrency: 4, prefetch: 1, bufferSize: 8 };
 * ```
 */
export interface MergeMapWithCreditsOptions<T> extends WithHandshakeOptions<T> {
  /** How many segments may run at once: a positive safe integer, default 1. */
  readonly concurrency?: number;
  /**
   * How many items may wait for a slot, read ahead of the segments running: a non-negative safe
   * integer, default 0. With `prefetch: 1`, the next item (say the next batch) is ready the moment a
   * slot frees, so every slot stays busy even when reading the source takes time.
   */
  readonly prefetch?: number;
}
