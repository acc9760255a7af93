import { Subscription } from 'rxjs';
import type { BridgeOptions, BridgeSource } from '../core/BridgeOptions.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';
import { BridgeDemand } from './internal/BridgeDemand.js';
import { creditBridge } from './internal/creditBridge.js';

function failStream(controller: ReadableStreamDefaultController<unknown>, error: unknown): void {
  controller.error(error);
}

/**
 * Turns a pipeline into a WHATWG `ReadableStream` whose queue drives demand: each `pull()` requests
 * exactly what the stream asks for (`desiredSize`, less what is already requested and on its way), so
 * the stream's queue plus the items requested never exceed `highWaterMark` (default 16).
 *
 * - Factory form, `(credits) => pipeline`: the pipeline gets a {@link CreditProvider} granted exactly
 *   those requests; with {@link pullFrom} inside, the producer itself slows down to the reader's pace.
 * - Plain `Observable` form: held in a bounded buffer with the same strategies and options as
 *   {@link requestCredits} (`bufferSize` default 1024, `overflow` default `'error'`, ...).
 * - The pipeline is subscribed when the stream starts (a stream starts filling its queue at once).
 *   Completion closes the stream and an error errors it, both after the items before them have been
 *   read (`controller.error()` would discard the queue); `cancel()` unsubscribes the pipeline.
 * - Options are checked at once: bad ones throw a `TypeError` or `RangeError` naming them.
 *
 * @example
 * ```ts
 * import { pullFrom, toReadableStream } from 'rxjs-backpressure';
 *
 * const stream = toReadableStream((credits) => pullFrom(['a', 'b', 'c'], credits), { highWaterMark: 2 });
 * const reader = stream.getReader();
 * console.log(await reader.read()); // { done: false, value: 'a' }
 * ```
 */
export function toReadableStream<T>(source: BridgeSource<T>, options?: BridgeOptions<T>): ReadableStream<T> {
  const bridge = creditBridge(source, options, 'toReadableStream');
  const subscription = new Subscription();
  // controller.error() discards the queue: the demand holds an error back until the items before it are read.
  const demand = new BridgeDemand<T, ReadableStreamDefaultController<T>>(bridge, failStream);
  let ended = false;
  let arrived: (() => void) | undefined;
  const wake = (): void => {
    const resolve = arrived;
    arrived = undefined;
    resolve?.();
  };
  return new ReadableStream<T>(
    {
      start: (controller) => {
        subscribeSafely(bridge.output, subscription, {
          next: (item) => {
            demand.arrived();
            controller.enqueue(item);
            wake();
          },
          error: (error) => {
            ended = true;
            demand.error(controller, error, controller.desiredSize === bridge.highWaterMark);
            wake();
          },
          complete: () => {
            ended = true;
            controller.close();
            wake();
          },
        });
      },
      pull: (controller) => {
        // pull() runs after every read, so this is where the queue is seen empty at last.
        if (demand.failIfHeld(controller, controller.desiredSize === bridge.highWaterMark)) return undefined;
        demand.askForRoom(controller.desiredSize ?? 0);
        // The stream calls pull() again only after this settles: settle it when something arrives, so
        // it asks again then rather than at once (which would request the same room twice).
        if (ended || demand.settled) return undefined;
        return new Promise<void>((resolve) => {
          arrived = resolve;
        });
      },
      cancel: () => subscription.unsubscribe(),
    },
    { highWaterMark: bridge.highWaterMark },
  );
}
