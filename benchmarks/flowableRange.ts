import { Flowable } from 'rsocket-flowable';

/**
 * A range as a Reactive Streams publisher on rsocket-flowable. The package's own `Flowable.just`
 * recurses when `request` is called from inside `onNext` (a stack overflow at request(1) over a
 * million items), so this is the textbook publisher: one emission loop that re-entrant requests only
 * add to.
 */
export function flowableRange(count: number): Flowable<number> {
  return new Flowable<number>((subscriber) => {
    let next = 0;
    let requested = 0;
    let emitting = false;
    let done = false;
    subscriber.onSubscribe({
      cancel: () => {
        done = true;
      },
      request: (n) => {
        requested += n;
        if (emitting) return;
        emitting = true;
        while (requested > 0 && next < count && !done) {
          requested--;
          subscriber.onNext(next++);
        }
        emitting = false;
        if (next === count && !done) {
          done = true;
          subscriber.onComplete();
        }
      },
    });
  });
}
