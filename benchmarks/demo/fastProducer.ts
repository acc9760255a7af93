import { Observable, type SchedulerLike } from 'rxjs';

/**
 * One unit of work: an id, the moment it was produced (by the run's clock, in ms) so its age can be
 * told when it completes, and about 1 KiB of data it carries, as a real job would (on the JavaScript
 * heap, so a queue of jobs shows in the heap figures).
 */
export interface Job {
  readonly id: number;
  readonly producedAt: number;
  readonly payload: readonly number[];
}

/** How {@link fastProducer} produces. */
export interface FastProducerOptions {
  /** Jobs a second. */
  readonly rate: number;
  readonly scheduler: SchedulerLike;
  /** When the run started, by `scheduler`'s clock: jobs are due from then. */
  readonly startedAt: number;
  /** Numbers each job carries. Default 256, about 1 KiB of data. */
  readonly payloadLength?: number | undefined;
}

/**
 * A producer that emits `rate` jobs a second of `scheduler`'s clock whatever happens downstream, in
 * batches every 10 ms, numbered from 0, until unsubscribed. It is not slowed by backpressure on
 * purpose, nor by a busy thread: a late tick emits every job due by then, so two producers on the
 * same clock produce the same jobs however loaded their threads are.
 */
export function fastProducer({
  rate,
  scheduler,
  startedAt,
  payloadLength = 256,
}: FastProducerOptions): Observable<Job> {
  return new Observable<Job>((subscriber) => {
    let next = 0;
    return scheduler.schedule(function produce() {
      const producedAt = scheduler.now();
      const due = Math.floor(((producedAt - startedAt) * rate) / 1000);
      while (next < due && !subscriber.closed)
        subscriber.next({ id: next, producedAt, payload: new Array<number>(payloadLength).fill(next++) });
      this.schedule(undefined, 10);
    }, 10);
  });
}
