import { reportUnhandledError } from '../../internal/reportUnhandledError.js';
import type { OpenReader } from './Reader.js';
import { readAsync } from './readAsync.js';

/** The reader of `pullFrom` for an `AsyncIterable`: one `next()` per credit, one pending at a time. */
export function readAsyncIterable<T>(iterable: AsyncIterable<T>): OpenReader<T> {
  return (subscriber, demand) => {
    const iterator = iterable[Symbol.asyncIterator]();
    return readAsync(subscriber, demand, {
      next: () => iterator.next(),
      ended: () => undefined,
      cancel: () => {
        if (typeof iterator.return !== 'function') return;
        try {
          Promise.resolve(iterator.return()).then(undefined, reportUnhandledError);
        } catch (error) {
          reportUnhandledError(error);
        }
      },
    });
  };
}
