import type { Subscriber } from 'rxjs';
import { BackpressureError } from '../../errors/BackpressureError.js';
import { listenTo } from './listenTo.js';
import type { NodeStreamLike } from './NodeStreamLike.js';

/**
 * The one place where a Node.js stream's ending settles the subscriber it feeds or is fed by
 * (`pullFrom`, `writeTo`), so both end, fail and let go of a stream alike.
 */
export interface NodeStreamTie {
  /** Whether the tie is over: the stream ended, failed or closed, or was let go; its listeners are gone. */
  readonly over: boolean;
  /**
   * Listens to the stream with `listeners` and the ending ones: the ending event completes the
   * subscriber, `'error'` errors it, a `'close'` before either errors it with {@link closedEarly}.
   * Whichever comes first ends the tie. Called once, after what the listeners use is in place.
   */
  listen(listeners: Readonly<Record<string, (...args: unknown[]) => void>>): void;
  /** Ends the tie and errors the subscriber, as the stream's `'error'` does (for a call that threw). */
  fail(error: unknown): void;
  /** The subscriber left first: ends the tie and destroys the stream, unless the tie is over already. */
  release(): void;
}

/** The error of a Node.js stream that closed before its ending event: `message` says which. */
export function closedEarly(message: string): BackpressureError {
  return new BackpressureError('ERR_STREAM_PREMATURE_CLOSE', message);
}

/**
 * Ties `subscriber` to `stream`, whose `ending` event (`'end'` or `'finish'`) is its success, and whose
 * `'close'` before it fails with `closedEarlyMessage`. Ending the tie removes every listener, once.
 */
export function tieToNodeStream(
  stream: NodeStreamLike,
  subscriber: Pick<Subscriber<never>, 'complete' | 'error'>,
  ending: 'end' | 'finish',
  closedEarlyMessage: string,
): NodeStreamTie {
  let over = false;
  let detach = (): void => undefined;
  const end = (): void => {
    over = true;
    detach();
  };
  const fail = (error: unknown): void => {
    end();
    subscriber.error(error);
  };
  return {
    get over() {
      return over;
    },
    listen: (listeners) => {
      detach = listenTo(stream, {
        ...listeners,
        [ending]: () => {
          end();
          subscriber.complete();
        },
        error: fail,
        close: () => fail(closedEarly(closedEarlyMessage)),
      });
    },
    fail,
    release: () => {
      if (over) return;
      end();
      if (typeof stream.destroy === 'function') stream.destroy();
    },
  };
}
