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

/**
 * A producer that emits as fast as its rate allows, whatever happens downstream: `rate / 100` jobs
 * every 10 ms of `scheduler`'s clock, numbered from 0, until unsubscribed. It is not slowed by
 * backpressure on purpose.
 */
export function fastProducer(rate: number, scheduler: SchedulerLike): Observable<Job> {
  return new Observable<Job>((subscriber) => {
    const batch = Math.max(1, Math.round(rate / 100));
    let next = 0;
    return scheduler.schedule(function produce() {
      const producedAt = scheduler.now();
      for (let index = 0; index < batch && !subscriber.closed; index++)
        subscriber.next({ id: next, producedAt, payload: new Array<number>(256).fill(next++) });
      this.schedule(undefined, 10);
    }, 10);
  });
}
