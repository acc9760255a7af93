import type { NodeReadableLike } from '../NodeReadableLike.js';
import { exhausted, type OpenReader, type Reader } from './Reader.js';
import { closedEarly, tieToNodeStream } from './tieToNodeStream.js';

const closedBeforeEnd = 'pullFrom(source): the Node.js stream closed before it ended.';

/** The reader of a stream that had ended before it was opened. */
const idle: Reader = { drain: () => undefined, release: () => undefined };

/**
 * The reader of `pullFrom` for a Node.js readable, in paused mode: `read()` one chunk per credit. A
 * stream that has ended or been destroyed already completes or errors the output at once.
 */
export function readNodeStream<T>(stream: NodeReadableLike): OpenReader<T> {
  return (subscriber, demand) => {
    if (stream.readableEnded === true) {
      subscriber.complete();
      return idle;
    }
    if (stream.destroyed === true) {
      subscriber.error(stream.errored ?? closedEarly(closedBeforeEnd));
      return idle;
    }
    const tie = tieToNodeStream(stream, subscriber, 'end', closedBeforeEnd);
    let draining = false;
    // Listening to 'readable' pauses the stream: it then fills only its own buffer (highWaterMark), and
    // read() hands over one chunk per credit.
    const drain = (): void => {
      if (draining || tie.over) return;
      draining = true;
      try {
        while (!subscriber.closed && demand.credit.outstanding > 0) {
          let chunk: unknown;
          try {
            chunk = stream.read();
          } catch (error) {
            tie.fail(error);
            return;
          }
          if (chunk === null) break;
          demand.credit.admit();
          subscriber.next(chunk as T);
        }
        if (exhausted(demand)) subscriber.complete();
      } finally {
        draining = false;
      }
    };
    tie.listen({ readable: drain });
    return { drain, release: tie.release };
  };
}
