import { Observable, type Subscriber } from 'rxjs';
import type { TraceLog } from './TraceLog.js';

/**
 * The source a scenario drives, recording what the pipeline does with it. It is hot: an item emitted
 * while nothing subscribes is not received. Once it has ended, a late subscriber gets that end at
 * once, as from a source that already finished.
 */
export class ScenarioSource<T> {
  readonly observable: Observable<T>;
  readonly #log: TraceLog<T, unknown>;
  readonly #subscribers = new Set<Subscriber<T>>();
  readonly #error = new Error('The scenario source failed (an error step).');
  #end: 'complete' | 'error' | undefined;

  constructor(log: TraceLog<T, unknown>) {
    this.#log = log;
    this.observable = new Observable<T>((subscriber) => {
      log.record({ kind: 'sourceSubscribed' });
      subscriber.add(() => {
        this.#subscribers.delete(subscriber);
        log.record({ kind: 'sourceReleased' });
      });
      if (this.#end === 'complete') subscriber.complete();
      else if (this.#end === 'error') subscriber.error(this.#error);
      else this.#subscribers.add(subscriber);
    });
  }

  emit(item: T): void {
    const subscribers = [...this.#subscribers];
    if (subscribers.length > 0) this.#log.record({ kind: 'received', item });
    for (const subscriber of subscribers) subscriber.next(item);
  }

  complete(): void {
    this.#end = 'complete';
    this.#log.record({ kind: 'sourceCompleted' });
    for (const subscriber of [...this.#subscribers]) subscriber.complete();
  }

  error(): void {
    this.#end = 'error';
    this.#log.record({ kind: 'sourceErrored', error: this.#error });
    for (const subscriber of [...this.#subscribers]) subscriber.error(this.#error);
  }
}
