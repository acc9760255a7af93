import { Observable } from 'rxjs';

/**
 * One unit of work: an id and about 1 KiB of data it carries, as a real job would (on the JavaScript
 * heap, so a queue of jobs shows in the heap figures).
 */
export interface Job {
  readonly id: number;
  readonly payload: readonly number[];
}

/**
 * A producer that emits as fast as its rate allows, whatever happens downstream: `rate / 100` jobs
 * every 10 ms, numbered from 0, until unsubscribed. It is not slowed by backpressure on purpose.
 */
export function fastProducer(rate: number): Observable<Job> {
  return new Observable<Job>((subscriber) => {
    const batch = Math.max(1, Math.round(rate / 100));
    let next = 0;
    const timer = setInterval(() => {
      for (let index = 0; index < batch && !subscriber.closed; index++)
        subscriber.next({ id: next, payload: new Array<number>(256).fill(next++) });
    }, 10);
    return () => clearInterval(timer);
  });
}
