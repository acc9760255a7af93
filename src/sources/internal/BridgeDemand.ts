import { askFor, type CreditBridge } from './creditBridge.js';

/**
 * The demand side of a stream bridge (`toReadableStream`, `toNodeReadable`), so both count and fail
 * alike: what the stream has asked the pipeline for and not yet received, and an error held back until
 * the stream's queue has been read, since the stream's own way of failing (`controller.error()`,
 * `destroy(error)`) discards the queue. `S` is the stream (or its controller) and `fail` fails it; both
 * are fixed per bridge, so no call here allocates.
 */
export class BridgeDemand<T, S> {
  readonly #bridge: CreditBridge<T>;
  readonly #fail: (stream: S, error: unknown) => void;
  #requested = 0;
  #heldError: { readonly error: unknown } | undefined;

  constructor(bridge: CreditBridge<T>, fail: (stream: S, error: unknown) => void) {
    this.#bridge = bridge;
    this.#fail = fail;
  }

  /** Whether nothing the stream asked for is still on its way. */
  get settled(): boolean {
    return this.#requested === 0;
  }

  /** One item the stream asked for has arrived. */
  arrived(): void {
    this.#requested--;
  }

  /** Asks for what `room` leaves beyond what is already on its way; nothing once an error is held back. */
  askForRoom(room: number): void {
    const wanted = room - this.#requested;
    if (wanted > 0 && this.#heldError === undefined) {
      this.#requested += wanted;
      askFor(this.#bridge, wanted);
    }
  }

  /** The pipeline failed: fails `stream` at once when its queue is empty, else holds the error back. */
  error(stream: S, error: unknown, queueEmpty: boolean): void {
    if (queueEmpty) this.#fail(stream, error);
    else this.#heldError = { error };
  }

  /** Whether an error is held back; once the queue is empty, fails `stream` with it. */
  failIfHeld(stream: S, queueEmpty: boolean): boolean {
    const held = this.#heldError;
    if (held === undefined) return false;
    if (queueEmpty) this.#fail(stream, held.error);
    return true;
  }
}
