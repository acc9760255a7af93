import { reportUnhandledError } from '../../internal/reportUnhandledError.js';
import type { OpenReader } from './Reader.js';
import { readAsync } from './readAsync.js';

/**
 * The reader of `pullFrom` for a web `ReadableStream`, through its reader: one `read()` per credit, one
 * pending at a time; the lock is released once the stream ends or is cancelled.
 */
export function readWebStream<T>(stream: ReadableStream<T>): OpenReader<T> {
  return (subscriber, demand) => {
    const reader = stream.getReader();
    const releaseLock = (): void => reader.releaseLock();
    return readAsync(subscriber, demand, {
      next: () => reader.read() as Promise<IteratorResult<T>>,
      ended: releaseLock,
      cancel: () => {
        reader.cancel().then(releaseLock, (error: unknown) => {
          releaseLock();
          reportUnhandledError(error);
        });
      },
    });
  };
}
