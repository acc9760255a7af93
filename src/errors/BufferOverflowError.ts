import { BackpressureError } from './BackpressureError.js';

/**
 * Raised by the `'buffer'` strategy with `overflow: 'error'` when an item arrives and the buffer
 * already holds `bufferSize` items. It carries the item that did not fit. The stream bridges
 * (`toAsyncIterable`, `toReadableStream`, `toNodeReadable`, `writeTo`) add to the message the form that
 * slows the producer down instead.
 *
 * @example
 * ```ts
 * import { BufferOverflowError } from 'rxjs-backpressure';
 *
 * const error = new BufferOverflowError('job-42', 16);
 * console.log(error.item, error.bufferSize, error.code); // 'job-42' 16 'ERR_BUFFER_OVERFLOW'
 * ```
 */
export class BufferOverflowError<T = unknown> extends BackpressureError {
  /** The item that arrived when the buffer was full. */
  readonly item: T;
  /** The size of the buffer that overflowed. */
  readonly bufferSize: number;

  /**
   * @param advice What would avoid the overflow, appended to the message (the stream bridges name the
   *   form that slows the producer down).
   */
  constructor(item: T, bufferSize: number, advice?: string) {
    super(
      'ERR_BUFFER_OVERFLOW',
      `The buffer of ${bufferSize} items is full and overflow is 'error'.${advice === undefined ? '' : ` ${advice}`}`,
    );
    this.item = item;
    this.bufferSize = bufferSize;
  }
}
