import type { SchedulerLike } from 'rxjs';
import type { DropReason } from './DropReason.js';

/**
 * What happens to an item that cannot be delivered yet:
 * `'buffer'` keeps it (bounded by `bufferSize`), `'drop'` drops it, `'latest'` keeps only the newest
 * waiting item (or the newest per key, with `key`), `'error'` fails the output.
 *
 * @example
 * ```ts
 * import { interval } from 'rxjs';
 * import { type BackpressureStrategy, CreditController, requestCredits } from 'rxjs-backpressure';
 *
 * const strategy: BackpressureStrategy = 'latest'; // only the newest reading matters
 * const credits = new CreditController({ initial: 1 });
 * interval(10)
 *   .pipe(requestCredits(credits, { strategy }))
 *   .subscribe((reading) => {
 *     console.log(reading); // of the readings that arrive meanwhile, only the newest is kept
 *     setTimeout(() => credits.grant(1), 100);
 *   });
 * ```
 */
export type BackpressureStrategy = 'buffer' | 'drop' | 'latest' | 'error';

/**
 * What the `'buffer'` strategy does when an item arrives and the buffer is full: `'error'` fails with
 * `BufferOverflowError`, `'drop-oldest'` evicts the item that waited longest, `'drop-incoming'` refuses
 * the new item, `'drop-lowest'` (needs `priority`) evicts the lowest-priority item.
 *
 * @example
 * ```ts
 * import { CreditController, type OverflowPolicy, requestCredits } from 'rxjs-backpressure';
 *
 * const overflow: OverflowPolicy = 'drop-oldest'; // a full buffer makes room by evicting the oldest item
 * const credits = new CreditController();
 * const bounded = requestCredits<string>(credits, { bufferSize: 100, overflow });
 * ```
 */
export type OverflowPolicy = 'error' | 'drop-oldest' | 'drop-incoming' | 'drop-lowest';

/**
 * How an operator holds back items it cannot deliver yet. One set of options shared by every operator
 * and bridge that holds items back (`requestCredits`, `withHandshake`, `toAsyncIterable`, ...), served
 * by one engine.
 *
 * @example
 * ```ts
 * import type { BufferOptions } from 'rxjs-backpressure';
 *
 * const options: BufferOptions<{ urgent: boolean }> = {
 *   strategy: 'buffer',
 *   bufferSize: 100,
 *   overflow: 'drop-lowest',
 *   priority: (job) => (job.urgent ? 1 : 0),
 *   onDrop: (job, reason) => console.warn('dropped', job, reason),
 * };
 * ```
 */
export interface BufferOptions<T> {
  /** Default `'buffer'`. */
  readonly strategy?: BackpressureStrategy;
  /** `'buffer'` only: the most items held at once, a positive integer, exact. Default 1024. */
  readonly bufferSize?: number;
  /**
   * `'buffer'`: what a full buffer does with one more item; `'latest'` with `key`: what happens to an
   * item of one more key than `maxKeys`. Default `'error'`.
   */
  readonly overflow?: OverflowPolicy;
  /**
   * `'buffer'` only: turns the buffer into a stable priority queue, higher first and FIFO among equals.
   * Called once per buffered item; a throw errors the output.
   */
  readonly priority?: (item: T) => number;
  /**
   * `'latest'`: keep the latest waiting item per key rather than one for the whole stream; a newer item
   * of the same key replaces it (reported `'replaced'`). Waiting keys are delivered fairly, the key that
   * has waited longest first (a replaced item keeps its key's place). Called once per held item; a throw
   * errors the output. (withHandshake also reads it for `ordered: 'per-key'`.)
   */
  readonly key?: (item: T) => unknown;
  /** `'latest'` with `key`: how many of the newest items of each key wait, a positive integer. Default 1. */
  readonly perKey?: number;
  /**
   * `'latest'` with `key`: the most keys waiting at once, a positive integer (default 1024), so memory
   * is bounded by the number of keys; an item of one more key follows `overflow`.
   */
  readonly maxKeys?: number;
  /** `'buffer'` and `'latest'`: milliseconds an item may wait before it is dropped as `'expired'`. */
  readonly ttl?: number;
  /** Called once for every dropped item, with the reason. A throw errors the output. */
  readonly onDrop?: (item: T, reason: DropReason) => void;
  /** The clock and timers for `ttl`. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}
