import type { Readable } from 'node:stream';
import { Subscription } from 'rxjs';
import type { BridgeOptions, BridgeSource } from '../core/BridgeOptions.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';
import { BridgeDemand } from './internal/BridgeDemand.js';
import { type CreditBridge, creditBridge } from './internal/creditBridge.js';
import type { NodeObjectReadable } from './NodeObjectReadable.js';

function destroyWith(readable: Readable, error: unknown): void {
  readable.destroy(error as Error);
}

type CreditedReadableClass = new <T>(bridge: CreditBridge<T>) => Readable;

let creditedReadable: CreditedReadableClass | undefined;

/**
 * The Readable subclass, made on first use from `node:stream` as the running process provides it
 * (`process.getBuiltinModule`), so the main entry point never imports a Node.js module and stays
 * loadable in browsers and by bundlers; `toNodeReadable` is the one function that needs Node.js.
 */
function creditedReadableClass(): CreditedReadableClass {
  if (creditedReadable !== undefined) return creditedReadable;
  const stream = globalThis.process?.getBuiltinModule?.('node:stream');
  if (stream === undefined) {
    throw new Error(
      'toNodeReadable needs Node.js 20.16 or later (it loads node:stream through process.getBuiltinModule).',
    );
  }
  const NodeReadable = stream.Readable;
  creditedReadable = class CreditedReadable<T> extends NodeReadable {
    readonly #bridge: CreditBridge<T>;
    readonly #subscription = new Subscription();
    // destroy() discards the buffer: the demand holds an error back until the items before it are read.
    readonly #demand: BridgeDemand<T, Readable>;
    #subscribed = false;

    constructor(bridge: CreditBridge<T>) {
      super({ objectMode: true, highWaterMark: bridge.highWaterMark });
      this.#bridge = bridge;
      this.#demand = new BridgeDemand(bridge, destroyWith);
    }

    override _read(): void {
      if (!this.#subscribed) {
        this.#subscribed = true;
        subscribeSafely(this.#bridge.output, this.#subscription, {
          next: (item) => {
            this.#demand.arrived();
            if (item === null) {
              this.destroy(
                new TypeError(
                  'toNodeReadable(source): the pipeline emitted null, which would end a Node.js stream.',
                ),
              );
            } else {
              this.push(item);
            }
          },
          error: (error) => this.#demand.error(this, error, this.readableLength === 0),
          complete: () => this.push(null),
        });
      }
      // Node calls _read again only after a push, and sometimes calls it with a full buffer: such a call
      // still asks for one item, or the stream would stall.
      if (!this.#subscription.closed) {
        this.#demand.askForRoom(Math.max(this.readableHighWaterMark - this.readableLength, 1));
      }
    }

    // Every way of consuming a Readable (flowing, pipe, 'readable', async iteration) goes through read():
    // the place to notice that the items before a held error have all been taken.
    override read(size?: number): unknown {
      const chunk: unknown = super.read(size);
      this.#demand.failIfHeld(this, this.readableLength === 0 && !this.destroyed);
      return chunk;
    }

    override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
      this.#subscription.unsubscribe();
      callback(error);
    }
  };
  return creditedReadable;
}

/**
 * Turns a pipeline into a Node.js `Readable` in object mode whose buffer drives demand: each `_read`
 * requests what the stream has room for (`readableHighWaterMark` less what it holds and what is already
 * requested, and at least one item, which is what a call to `_read` asks for), so its buffer plus the
 * items requested stay within `highWaterMark` (default 16), or one more when Node reads a full buffer.
 *
 * - Factory form, `(credits) => pipeline`: the pipeline gets a {@link CreditProvider} granted exactly
 *   those requests; with {@link pullFrom} inside, the producer itself slows down to the reader's pace.
 * - Plain `Observable` form: held in a bounded buffer with the same strategies and options as
 *   {@link requestCredits} (`bufferSize` default 1024, `overflow` default `'error'`, ...).
 * - The pipeline is subscribed by the first `_read`. Completion ends the stream (`push(null)`) after the
 *   items before it; an error destroys the stream with that error once the items before it have been
 *   read (Node's `destroy()` would discard them); `destroy()` unsubscribes the pipeline (`_destroy`).
 * - `null` ends a Node stream, so it cannot be an item: a pipeline that emits `null` destroys the stream
 *   with a `TypeError` (map it to another value first).
 * - Options are checked at once: bad ones throw a `TypeError` or `RangeError` naming them.
 *
 * @example
 * ```ts
 * import { pipeline } from 'node:stream/promises';
 * import { Writable } from 'node:stream';
 * import { pullFrom, toNodeReadable } from 'rxjs-backpressure';
 *
 * await pipeline(
 *   toNodeReadable((credits) => pullFrom([1, 2, 3], credits)),
 *   new Writable({ objectMode: true, write: (n, _encoding, done) => done() }),
 * );
 * ```
 */
export function toNodeReadable<T>(
  source: BridgeSource<T>,
  options?: BridgeOptions<T>,
): NodeObjectReadable<T> {
  const CreditedReadable = creditedReadableClass();
  return new CreditedReadable(creditBridge(source, options, 'toNodeReadable'));
}
