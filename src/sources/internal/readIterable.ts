import { reportUnhandledError } from '../../internal/reportUnhandledError.js';
import { exhausted, notAResult, type OpenReader } from './Reader.js';

const arrayValues = Array.prototype[Symbol.iterator];

/** `iterable` itself when it is an array read through the array iterator, which indexing stands in for. */
function plainArray<T>(iterable: Iterable<T>): readonly T[] | undefined {
  return Array.isArray(iterable) && iterable[Symbol.iterator] === arrayValues ? iterable : undefined;
}

/** The reader of `pullFrom` for an `Iterable` (a string too): one `next()` per credit, in a loop. */
export function readIterable<T>(iterable: Iterable<T>): OpenReader<T> {
  return (subscriber, demand) => {
    // A plain array is read by index, as from(array) reads it, with no iterator result per item.
    const array = plainArray(iterable);
    let index = 0;
    const iterator = array === undefined ? iterable[Symbol.iterator]() : undefined;
    let ended = false;
    let draining = false;
    // A loop, never recursion: a grant made inside the downstream `next` lands in the loop running below it.
    const drain = (): void => {
      if (draining || ended) return;
      draining = true;
      try {
        while (!subscriber.closed && demand.credit.outstanding > 0) {
          if (array !== undefined) {
            if (index >= array.length) {
              ended = true;
              subscriber.complete();
              return;
            }
            demand.credit.admit();
            subscriber.next(array[index++] as T);
            continue;
          }
          let result: IteratorResult<T>;
          try {
            result = (iterator as Iterator<T>).next();
          } catch (error) {
            ended = true;
            subscriber.error(error);
            return;
          }
          const invalid = notAResult(result);
          if (invalid !== undefined || result.done === true) {
            ended = true;
            if (invalid === undefined) subscriber.complete();
            else subscriber.error(invalid);
            return;
          }
          demand.credit.admit();
          subscriber.next(result.value);
        }
        if (exhausted(demand)) subscriber.complete();
      } finally {
        draining = false;
      }
    };
    return {
      drain,
      release: () => {
        if (ended) return;
        ended = true;
        if (typeof iterator?.return !== 'function') return;
        try {
          iterator.return();
        } catch (error) {
          reportUnhandledError(error);
        }
      },
    };
  };
}
