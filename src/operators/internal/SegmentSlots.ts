import { from, Observable, type ObservableInput, Subject } from 'rxjs';
import { describeValue } from '../../core/validation.js';

/**
 * The slots of one stage, shared by every subscription of it like a service's capacity: `run(item)`
 * runs the item's segment, and the slot frees when the segment ends however many results it had
 * (complete, error, or unsubscribed).
 */
export class SegmentSlots<T, R> {
  readonly credits$: Observable<number>;
  readonly capacity: number;
  /** Where the count of running segments lives: the stage itself, so `stage.active` reads it as data. */
  readonly #running: { active: number };
  readonly #project: (item: T, index: number) => ObservableInput<R>;
  readonly #prefetch: number;
  readonly #freed = new Subject<number>();
  /** The stage's subscriptions, counted by the items they hold waiting for a slot. */
  readonly #subscriptions = new Set<{ readonly waiting: number }>();
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
  watch(subscription: { readonly waiting: number }): () => void {
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
