import type { Subscriber } from 'rxjs';
import { type Demand, exhausted, notAResult, type Reader } from './Reader.js';

// The reading loop that readAsyncIterable and readWebStream share: both read one promise at a time.

/** A source read one promise at a time: an async iterator, or a web stream's reader. */
export interface AsyncPull<T> {
  next(): PromiseLike<IteratorResult<T>> | IteratorResult<T>;
  /** Called once when the source ended by itself (done or error). */
  ended(): void;
  /** Called once when the consumer leaves first. */
  cancel(): void;
}

/** Reads `pull` against `demand` into `subscriber`, with at most one read pending at a time. */
export function readAsync<T>(subscriber: Subscriber<T>, demand: Demand, pull: AsyncPull<T>): Reader {
  let ended = false;
  let pending = false;
  const fail = (error: unknown): void => {
    pending = false;
    // The consumer left while this read was pending: it asked for nothing more, so there is nowhere to go.
    if (ended) return;
    ended = true;
    pull.ended();
    subscriber.error(error);
  };
  const receive = (result: IteratorResult<T>): void => {
    pending = false;
    if (ended) return;
    const invalid = notAResult(result);
    if (invalid !== undefined) {
      fail(invalid);
    } else if (result.done === true) {
      ended = true;
      pull.ended();
      subscriber.complete();
    } else {
      subscriber.next(result.value);
      drain();
    }
  };
  // At most one read pending: the next one starts only once the last one has settled.
  const drain = (): void => {
    if (pending || ended || subscriber.closed) return;
    if (demand.credit.outstanding > 0) {
      pending = true;
      demand.credit.admit();
      let result: PromiseLike<IteratorResult<T>> | IteratorResult<T>;
      try {
        result = pull.next();
      } catch (error) {
        fail(error);
        return;
      }
      Promise.resolve(result).then(receive, fail);
    } else if (exhausted(demand)) {
      subscriber.complete();
    }
  };
  return {
    drain,
    release: () => {
      if (ended) return;
      ended = true;
      pull.cancel();
    },
  };
}
