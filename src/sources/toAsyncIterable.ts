import { Subscription } from 'rxjs';
import type { BridgeOptions, BridgeSource } from '../core/BridgeOptions.js';
import { assertNever } from '../internal/assertNever.js';
import { StallWatch } from '../internal/StallWatch.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';
import { type CreditBridge, creditBridge } from './internal/creditBridge.js';

type Resolve<T> = (result: IteratorResult<T, undefined>) => void;
type Reject = (error: unknown) => void;

const done = (): IteratorReturnResult<undefined> => ({ done: true, value: undefined });

/**
 * Where the iterator stands: `running` until the pipeline ends or the loop leaves; `failed` when the
 * pipeline failed with no next() waiting (the next call throws the error, like an async generator that
 * threw); `done` from then on.
 */
type IteratorPhase =
  | { readonly kind: 'running' }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'done' };

/** What ends a phase: the pipeline completes or fails, the loop leaves (`return()`), a call takes the failure. */
type IteratorEvent =
  | { readonly kind: 'completed' }
  | { readonly kind: 'errored'; readonly error: unknown }
  | { readonly kind: 'returned' }
  | { readonly kind: 'failure-taken' };

const running: IteratorPhase = { kind: 'running' };
const finished: IteratorPhase = { kind: 'done' };
const completed: IteratorEvent = { kind: 'completed' };
const returned: IteratorEvent = { kind: 'returned' };
const failureTaken: IteratorEvent = { kind: 'failure-taken' };

class CreditedAsyncIterator<T> implements AsyncIterableIterator<T, undefined> {
  readonly #bridge: CreditBridge<T>;
  // The pipeline is granted credit in batches of `#batch` once that many next() calls have come, rather
  // than one per call; see the constructor for why the high-water mark still holds.
  readonly #batch: number;
  #unsupplied = 0;
  #subscription: Subscription | undefined;
  // The next() calls waiting for an item, in call order: each a resolve and then its reject, in slots
  // head..tail-1, reused from slot 0 whenever they empty (more than one call only when next() is called
  // before the last settled).
  readonly #waiting: (Resolve<T> | Reject | undefined)[] = [];
  #head = 0;
  #tail = 0;
  #phase: IteratorPhase = running;

  constructor(bridge: CreditBridge<T>) {
    this.#bridge = bridge;
    // Granted at the start: mark - batch, then batch for every batch next() calls. So after k calls
    // (k - 1 items taken, at least) the pipeline holds at most mark - batch + k credits: at most `mark`
    // ahead of the loop. And it never starves: mark - batch covers the k mod batch calls not yet
    // supplied, as batch <= (mark + 1) / 2.
    const mark = bridge.highWaterMark;
    this.#batch = Math.floor((mark + 1) / 2);
    if (mark > this.#batch) bridge.supply(mark - this.#batch);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    const phase = this.#phase;
    if (phase.kind === 'done') return Promise.resolve(done());
    if (phase.kind === 'failed') {
      this.#end(failureTaken);
      return Promise.reject(phase.error);
    }
    const result = new Promise<IteratorResult<T, undefined>>((resolve, reject) => {
      this.#waiting[this.#tail++] = resolve;
      this.#waiting[this.#tail++] = reject;
    });
    // Requested before the first subscription, so a synchronous pipeline finds the credit already there.
    this.#bridge.request(1);
    this.#unsupplied++;
    if (this.#unsupplied === this.#batch) {
      this.#unsupplied = 0;
      this.#bridge.supply(this.#batch);
    }
    if (this.#subscription === undefined) {
      this.#subscription = new Subscription();
      this.#subscription.add(new StallWatch(() => this.#stall()));
      subscribeSafely(this.#bridge.output, this.#subscription, {
        next: (value) => {
          const resolve = this.#takeOldest();
          resolve?.({ done: false, value });
        },
        error: (error) => this.#end({ kind: 'errored', error }),
        complete: () => this.#end(completed),
      });
    }
    return result;
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.#end(returned);
    this.#subscription?.unsubscribe();
    return Promise.resolve(done());
  }

  /** What a loop left waiting for an item that can never come is told when the event loop empties. */
  #stall(): string | undefined {
    if (this.#phase.kind !== 'running' || this.#head === this.#tail) return undefined;
    return 'toAsyncIterable stalled: the for await loop waits for an item, and its pipeline neither delivers one nor ends. If a pullFrom feeds it through steps that drop or merge items, give pullFrom the credits the factory receives (they tell readiness), not a credit signal taken from them';
  }

  /** Removes the oldest waiting call and returns its resolve (read its reject, the slot after, first). */
  #takeOldest(): Resolve<T> | undefined {
    if (this.#head === this.#tail) return undefined;
    const waiting = this.#waiting;
    const resolve = waiting[this.#head] as Resolve<T>;
    waiting[this.#head++] = undefined;
    waiting[this.#head++] = undefined;
    if (this.#head === this.#tail) {
      this.#head = 0;
      this.#tail = 0;
    }
    return resolve;
  }

  /** Every transition of the iterator, in one place. */
  #end(event: IteratorEvent): void {
    const phase = this.#phase;
    switch (phase.kind) {
      case 'done':
        return;
      case 'failed':
        // The failure waits for the next call; leaving the loop first drops it.
        if (event.kind === 'failure-taken' || event.kind === 'returned') this.#phase = finished;
        return;
      case 'running':
        break;
      default:
        assertNever(phase);
    }
    this.#phase = finished;
    if (event.kind === 'errored') {
      const reject = this.#waiting[this.#head + 1] as Reject | undefined;
      if (this.#takeOldest() === undefined) this.#phase = { kind: 'failed', error: event.error };
      else reject?.(event.error);
    }
    for (let resolve = this.#takeOldest(); resolve !== undefined; resolve = this.#takeOldest())
      resolve(done());
  }
}

/**
 * Turns a pipeline into an async iterator that a `for await` loop drives: the loop pulls, and the
 * pipeline is asked for items only as the loop takes them.
 *
 * - Factory form, `(credits) => pipeline`: the pipeline gets a {@link CreditProvider} that keeps at most
 *   `highWaterMark` (default 16) items requested ahead of the loop, granted in batches of half of it as
 *   the loop takes items; with {@link pullFrom} inside, the producer itself slows down to the loop's
 *   pace. Items that arrive before the loop asks wait in a buffer of `highWaterMark` items (by default),
 *   which a pipeline honouring its credits never overflows.
 * - Plain `Observable` form: it cannot be slowed, so it is held in a bounded buffer with the same
 *   strategies and options as {@link requestCredits} (`bufferSize` default 1024, `overflow` default
 *   `'error'`, `onDrop`, ...). `highWaterMark` plays no part here.
 * - The pipeline is subscribed by the first `next()`. Leaving the loop (`break`, `return`, a throw in
 *   its body) calls `return()`, which unsubscribes the pipeline.
 * - An error in the pipeline is thrown from the loop after the items before it (the buffer is delivered
 *   first); completion ends the loop after the last item.
 * - In Node.js, when the event loop empties while the loop waits for an item, one line on stderr says
 *   that the pipeline neither delivers nor ends (see {@link pullFrom}; `RXJS_BACKPRESSURE_STALL_WARNING=off`
 *   silences it), before Node ends a top-level `for await` with exit code 13.
 * - Options are checked at once: bad ones throw a `TypeError` or `RangeError` naming them.
 *
 * @example
 * ```ts
 * import { pullFrom, toAsyncIterable } from 'rxjs-backpressure';
 *
 * function* naturals() {
 *   for (let n = 0; ; n++) yield n;
 * }
 * for await (const n of toAsyncIterable((credits) => pullFrom(naturals(), credits), { highWaterMark: 4 })) {
 *   if (n === 10) break; // the generator was read at most 4 items ahead of this loop
 * }
 * ```
 */
export function toAsyncIterable<T>(
  source: BridgeSource<T>,
  options?: BridgeOptions<T>,
): AsyncIterableIterator<T> {
  return new CreditedAsyncIterator(creditBridge(source, options, 'toAsyncIterable'));
}
