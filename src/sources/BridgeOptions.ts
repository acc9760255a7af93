import type { Observable } from 'rxjs';
import type { CreditProvider } from '../credits/CreditProvider.js';
import type { BufferOptions } from '../operators/BufferOptions.js';

/**
 * What {@link toAsyncIterable}, {@link toReadableStream} and {@link toNodeReadable} read: a plain
 * `Observable` (which cannot be slowed, so it is held in a bounded buffer), or a factory that builds the
 * pipeline from a {@link CreditProvider} driven by the consumer (which slows the producer itself, for
 * instance through {@link pullFrom}).
 *
 * @example
 * ```ts
 * import { type BridgeSource, pullFrom } from 'rxjs-backpressure';
 *
 * const lines: BridgeSource<string> = (credits) => pullFrom(['a', 'b', 'c'], credits);
 * ```
 */
export type BridgeSource<T> = Observable<T> | ((credits: CreditProvider) => Observable<T>);

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
