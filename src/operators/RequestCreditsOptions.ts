import type { BufferOptions } from '../core/BufferOptions.js';
import type { FlowMonitor } from '../monitor/FlowMonitor.js';

/**
 * Options of {@link requestCredits}: the shared {@link BufferOptions} plus what only credits have.
 *
 * @example
 * ```ts
 * import type { RequestCreditsOptions } from 'rxjs-backpressure';
 *
 * const options: RequestCreditsOptions<Uint8Array> = {
 *   cost: (chunk) => Math.max(1, Math.ceil(chunk.byteLength / 1024)), // one credit per KiB
 *   delayError: false,
 * };
 * ```
 */
export interface RequestCreditsOptions<T> extends BufferOptions<T> {
  /**
   * Credits one item consumes, a positive safe integer (default 1). It is asked again each time the
   * item is considered for delivery, so keep it pure. Anything else errors the output with a RangeError.
   */
  readonly cost?: (item: T) => number;
  /**
   * Default `true`: when the source errors, buffered items are still delivered as credit allows, then
   * the error. `false`: the error cuts ahead and buffered items are dropped with reason `'error'`.
   */
  readonly delayError?: boolean;
  /**
   * Reports this stage to the monitor while subscribed: its counts (received, delivered, buffered,
   * dropped by reason) and outstanding credit. Read only when a snapshot is taken, so the stage does no
   * extra work per item. A monitor watches one stage at a time: a second concurrent subscription errors
   * with a `BackpressureError` of code `'ERR_MONITOR_IN_USE'`.
   */
  readonly monitor?: FlowMonitor;
}
