import { reportUnhandledError } from '../../internal/reportUnhandledError.js';
import { subscribeSafely } from '../../internal/subscribeSafely.js';
import { askFor } from './creditBridge.js';
import type { Sink } from './Sink.js';

/**
 * The sink of `writeTo` for a WHATWG `WritableStream`, through its writer: a credit while `desiredSize`
 * is positive, and again when `writer.ready` resolves; `close()` when the source completes, `abort()`
 * (then the lock released) when the output ends any other way.
 */
export function writeToWeb<T>(writable: WritableStream<T>): Sink<T> {
  return (bridge, subscriber) => {
    const writer = writable.getWriter();
    let settled = false;
    let abortReason: unknown;
    const grantWhenReady = (): void => {
      if ((writer.desiredSize ?? 0) > 0) {
        askFor(bridge, 1);
        return;
      }
      writer.ready.then(
        () => {
          if (!settled) askFor(bridge, 1);
        },
        // A failed stream rejects ready, write() and closed alike: closed alone carries the error out.
        () => undefined,
      );
    };
    writer.closed.then(undefined, (error: unknown) => {
      if (settled) return;
      settled = true;
      writer.releaseLock();
      subscriber.error(error);
    });
    subscriber.add(() => {
      if (settled) return;
      settled = true;
      writer.abort(abortReason).then(
        () => writer.releaseLock(),
        (error: unknown) => {
          writer.releaseLock();
          reportUnhandledError(error);
        },
      );
    });
    grantWhenReady();
    subscribeSafely(bridge.output, subscriber, {
      next: (item) => {
        writer.write(item).then(undefined, () => undefined);
        grantWhenReady();
      },
      error: (error) => {
        abortReason = error;
        subscriber.error(error);
      },
      complete: () => {
        writer.close().then(
          () => {
            if (settled) return;
            settled = true;
            writer.releaseLock();
            subscriber.complete();
          },
          () => undefined,
        );
      },
    });
  };
}
