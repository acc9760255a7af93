import { from, Observable, type ObservableInput, type OperatorFunction, Subject } from 'rxjs';
import type { DropReason } from '../core/DropReason.js';
import type { HandshakeProvider } from '../core/HandshakeProvider.js';
import {
  describeValue,
  isNonNegativeCount,
  isPositiveCount,
  numberOption,
  optionsObject,
} from '../core/validation.js';
import { resolveBufferOptions } from '../internal/resolveBufferOptions.js';
import type { CreditStage } from './CreditStage.js';
import type { MergeMapWithCreditsOptions } from './MergeMapWithCreditsOptions.js';
import { withHandshake } from './withHandshake.js';

/**
 * The slots of one stage, shared by every subscription of it like a service's capacity: `run(item)`
 * runs the item's segment, and the slot frees when the segment ends however many results it had
 * (complete, error, or unsubscribed).
 */
class SegmentSlots<T, R> {
  readonly credits$: Observable<number>;
  readonly capacity: number;
  /** Where the count of running segments lives: the stage itself, so `stage.active` reads it as data. */
  readonly #running: { active: number };
  readonly #project: (item: T, index: number) => ObservableInput<R>;
  readonly #prefetch: number;
  readonly #freed = new Subject<number>();
  readonly #subscriptions = new Set<SubscriptionSlots<T, R>>();
  #index = 0;

  constructor(
    project: (item: T, index: number) => ObservableInput<R>,
    capacity: number,
    prefetch: number,
    running: { active: number },
  ) {
    this.#running = running;
    this.#project = project;
    this.capacity = capacity;
    this.#prefetch = prefetch;
    // The room now on subscription (so the stage also works as a plain credit signal), then 1 per slot freed.
    this.credits$ = new Observable<number>((subscriber) => {
      const room = this.capacity - this.active;
      if (room > 0) subscriber.next(room);
      return this.#freed.subscribe(subscriber);
    });
  }

  get active(): number {
    return this.#running.active;
  }

  /** Whether a slot is free: what the gate asks before it starts a segment. */
  hasRoom(): boolean {
    return this.active < this.capacity;
  }

  /** Whether the source may send one more: a slot is free, or fewer than `prefetch` items wait for one. */
  isReady(): boolean {
    let waiting = 0;
    for (const subscription of this.#subscriptions) waiting += subscription.waiting;
    return this.active + waiting < this.capacity + this.#prefetch;
  }

  /** Counts a subscription's waiting items in while it lasts. */
  watch(subscription: SubscriptionSlots<T, R>): () => void {
    this.#subscriptions.add(subscription);
    return () => this.#subscriptions.delete(subscription);
  }

  run(item: T): Observable<R> {
    const index = this.#index++;
    // The slot is taken now, before the gate asks hasRoom() again, and freed by the segment's teardown.
    this.#running.active++;
    let taken = true;
    const free = (): void => {
      if (!taken) return;
      taken = false;
      this.#running.active--;
      this.#freed.next(1);
    };
    return new Observable<R>((subscriber) => {
      subscriber.add(free);
      let segment: ObservableInput<R>;
      try {
        segment = this.#project(item, index);
        if (segment === null || (typeof segment !== 'object' && typeof segment !== 'function')) {
          throw new TypeError(
            `mergeMapWithCredits(project): project must return an ObservableInput (an Observable, a Promise, an array or an iterable), got ${describeValue(segment)}.`,
          );
        }
      } catch (error) {
        subscriber.error(error);
        return;
      }
      subscriber.add(from(segment).subscribe(subscriber));
    });
  }
}

/**
 * One subscription's view of the slots, as the service its `withHandshake` gate drives, counting the
 * items its gate holds: arrived, less started and dropped. (With `ordered`, results held back for order
 * are reported dropped after their start, only when the output ends; the count then stops mattering.)
 */
class SubscriptionSlots<T, R> implements HandshakeProvider<T, R> {
  arrived = 0;
  started = 0;
  dropped = 0;
  readonly #slots: SegmentSlots<T, R>;

  constructor(slots: SegmentSlots<T, R>) {
    this.#slots = slots;
  }

  get credits$(): Observable<number> {
    return this.#slots.credits$;
  }

  get capacity(): number {
    return this.#slots.capacity;
  }

  get active(): number {
    return this.#slots.active;
  }

  get waiting(): number {
    return Math.max(0, this.arrived - this.started - this.dropped);
  }

  isReady(): boolean {
    return this.#slots.hasRoom();
  }

  do(item: T): Observable<R> {
    this.started++;
    return this.#slots.run(item);
  }
}

/**
 * `mergeMap` with real backpressure all the way to a pull source: runs a segment `project(item)` for
 * each item, at most `concurrency` at once, and is itself the demand of the source it reads. Give the
 * returned stage to {@link pullFrom} as its credits and put it in the pipe: the source is read while
 * the stage has a free slot, and an item's slot frees when its segment completes, however many results
 * it produced (none, one or many). Steps in between may drop items (`filter`, `skip`), merge them
 * (`bufferCount`) or multiply them: nothing is counted by hand, so nothing can leak.
 *
 * ```text
 * pullFrom:  (abc)-------d---e----      concurrency 2; `filter` drops b
 * filter:    (a c)-------d---e----
 * segments:   a==A|                      one slot each, freed when the segment completes
 *              c=====C|
 * output:    ----A--C----...
 * ```
 *
 * - `isReady()` is `active + waiting < capacity + prefetch` (`waiting`: items in the stage's buffer),
 *   `credits$` says the room on subscription and then 1 per freed slot: a {@link ReadinessProvider}, so
 *   {@link pullFrom} asks before each read and reads nothing while every slot is busy (and `prefetch`
 *   items, default 0, wait for one). Items a synchronous step drops cost nothing; see {@link pullFrom} for
 *   asynchronous steps between the two.
 * - Items arriving while every slot is busy (a source that is not read through this stage, an
 *   asynchronous step in between) wait in a bounded buffer: it is a {@link withHandshake} gate, so the
 *   shared {@link BufferOptions} apply (`bufferSize` default 1024, `overflow` default `'error'`,
 *   `onDrop`, ...), and so do `ordered` and `monitor`.
 * - A segment that errors (or a `project` that throws) errors the output, as `mergeMap` does;
 *   unsubscribing unsubscribes every running segment and frees its slot.
 * - The slots belong to the stage, not to one subscription: two subscriptions share `concurrency`.
 *
 * Throws at once a `TypeError` when `project` is not a function, and for bad options.
 *
 * @example
 * ```ts
 * import { filter } from 'rxjs';
 * import { mergeMapWithCredits, pullFrom } from 'rxjs-backpressure';
 *
 * const lines = ['# header', 'a', '# note', 'b', 'c'];
 * const store = mergeMapWithCredits(async (line: string) => line.toUpperCase(), { concurrency: 2 });
 * pullFrom(lines, store)
 *   .pipe(
 *     filter((line) => !line.startsWith('#')), // dropped lines cost nothing
 *     store,
 *   )
 *   .subscribe((stored) => console.log(stored)); // A, B, C
 * ```
 */
export function mergeMapWithCredits<T, R>(
  project: (item: T, index: number) => ObservableInput<R>,
  options?: MergeMapWithCreditsOptions<T>,
): CreditStage<T, R> {
  if (typeof project !== 'function') {
    throw new TypeError(
      `mergeMapWithCredits(project): project must be a function, got ${describeValue(project)}.`,
    );
  }
  // Checked here with `concurrency` among the known options, so a misspelling of it is named.
  resolveBufferOptions(options, 'options', ['concurrency', 'prefetch', 'ordered', 'monitor']);
  const {
    concurrency = 1,
    prefetch: givenPrefetch = 0,
    ...handshakeOptions
  } = optionsObject(options, 'options');
  const capacity = numberOption(
    concurrency,
    'options.concurrency',
    'a positive safe integer',
    isPositiveCount,
  );
  const prefetch = numberOption(
    givenPrefetch,
    'options.prefetch',
    'a non-negative safe integer',
    isNonNegativeCount,
  );
  const onDrop = handshakeOptions.onDrop;
  // Plain data properties, set in one order: a function given accessors turns to dictionary mode, and
  // pullFrom reads isReady before every item.
  const stage = ((source: Observable<T>): Observable<R> =>
    new Observable<R>((subscriber) => {
      const own = new SubscriptionSlots(slots);
      subscriber.add(slots.watch(own));
      const operator = withHandshake(own, {
        ...handshakeOptions,
        onDrop: (item: T, reason: DropReason) => {
          own.dropped++;
          onDrop?.(item, reason);
        },
      });
      const arrivals = new Observable<T>((counter) =>
        source.subscribe({
          next: (item) => {
            own.arrived++;
            counter.next(item);
          },
          error: (error) => counter.error(error),
          complete: () => counter.complete(),
        }),
      );
      return operator(arrivals).subscribe(subscriber);
    })) as StageUnderConstruction<T, R>;
  stage.active = 0;
  const slots = new SegmentSlots(project, capacity, prefetch, stage);
  stage.isReady = () => slots.isReady();
  stage.credits$ = slots.credits$;
  stage.capacity = capacity;
  return stage;
}

/** A stage while its properties are set. */
type StageUnderConstruction<T, R> = OperatorFunction<T, R> & {
  isReady: () => boolean;
  credits$: Observable<number>;
  capacity: number;
  active: number;
};
