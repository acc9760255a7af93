import type { Observable } from 'rxjs';
import type { BufferOptions } from './BufferOptions.js';
import type { ReadinessProvider } from './ReadinessProvider.js';

/**
 * What {@link toAsyncIterable}, {@link toReadableStream} and {@link toNodeReadable} read: a plain
 * `Observable` (which cannot be slowed, so it is held in a bounded buffer), or a factory that builds the
 * pipeline from a provider driven by the consumer (which slows the producer itself, for instance through
 * {@link pullFrom}). The provider is a {@link CreditProvider} (its `credits$` grants what the consumer
 * asks for) and a {@link ReadinessProvider}: `isReady()` holds while fewer items reached the consumer's
 * side than were granted, so a `pullFrom` given it reads on past items a step drops (`filter`) or merges,
 * and stops when a step multiplies them.
 *
 * @example
 * ```ts
 * import { type BridgeSource, pullFrom } from 'rxjs-backpressure';
 *
 * const lines: BridgeSource<string> = (credits) => pullFrom(['a', 'b', 'c'], credits);
 * ```
 */
export type BridgeSource<T> = Observable<T> | ((credits: ReadinessProvider) => Observable<T>);

/**
 * Options of the stream bridges: how many items the consumer keeps requested ahead, plus the shared
 * {@link BufferOptions} of the buffer that holds what arrived before the consumer asked for it.
 *
 * @example
 * ```ts
 * import type { BridgeOptions } from 'rxjs-backpressure';
 *
 * const options: BridgeOptions<string> = { highWaterMark: 64, overflow: 'drop-oldest' };
 * ```
 */
export interface BridgeOptions<T> extends BufferOptions<T> {
  /**
   * How many items the consumer keeps requested ahead of what it has taken: a positive safe integer,
   * default 16. It is the stream's own high-water mark for {@link toReadableStream} and
   * {@link toNodeReadable}, and (in the factory form) the default `bufferSize`.
   */
  readonly highWaterMark?: number;
}
