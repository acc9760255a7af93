import { Observable, type ObservableInput, type OperatorFunction } from 'rxjs';
import type { DropReason } from '../core/DropReason.js';
import {
  describeValue,
  isNonNegativeCount,
  isPositiveCount,
  numberOption,
  optionsObject,
} from '../core/validation.js';
import { resolveBufferOptions } from '../internal/resolveBufferOptions.js';
import type { CreditStage } from './CreditStage.js';
import { SegmentSlots } from './internal/SegmentSlots.js';
import { SubscriptionSlots } from './internal/SubscriptionSlots.js';
import type { MergeMapWithCreditsOptions } from './MergeMapWithCreditsOptions.js';
import { withHandshake } from './withHandshake.js';

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
