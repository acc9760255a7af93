import { BackpressureError } from '../../errors/BackpressureError.js';
import { subscribeSafely } from '../../internal/subscribeSafely.js';
import type { NodeWritableLike } from '../NodeWritableLike.js';
import { askFor } from './creditBridge.js';
import type { Sink } from './Sink.js';
import { tieToNodeStream } from './tieToNodeStream.js';

/**
 * The sink of `writeTo` for a Node.js writable: one credit at a time, again while `write()` returns
 * `true`, and on `'drain'` after it returned `false`; `end()` when the source completes.
 */
export function writeToNode<T>(writable: NodeWritableLike): Sink<T> {
  return (bridge, subscriber) => {
    if (writable.destroyed === true || writable.writableEnded === true) {
      subscriber.error(
        new BackpressureError(
          'ERR_STREAM_ENDED',
          'writeTo(writable): the Node.js stream has already ended or been destroyed; nothing more can be written.',
        ),
      );
      return;
    }
    let waitingForDrain = false;
    const tie = tieToNodeStream(
      writable,
      subscriber,
      'finish',
      'writeTo(writable): the Node.js stream closed before it finished.',
    );
    tie.listen({
      drain: () => {
        if (!waitingForDrain) return;
        waitingForDrain = false;
        askFor(bridge, 1);
      },
    });
    subscriber.add(tie.release);
    // Granted before the source starts, so a synchronous source finds its first credit already there.
    askFor(bridge, 1);
    subscribeSafely(bridge.output, subscriber, {
      next: (item) => {
        let hasRoom: boolean;
        try {
          hasRoom = writable.write(item);
        } catch (error) {
          subscriber.error(error);
          return;
        }
        if (hasRoom) askFor(bridge, 1);
        else waitingForDrain = true;
      },
      error: (error) => subscriber.error(error),
      complete: () => writable.end(),
    });
  };
}
