import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import type { BridgeSource } from '../core/BridgeOptions.js';
import type { BufferOptions } from '../core/BufferOptions.js';
import type { ReadinessProvider } from '../core/ReadinessProvider.js';
import { describeValue } from '../core/validation.js';
import { BackpressureError } from '../errors/BackpressureError.js';
import { reportUnhandledError } from '../internal/reportUnhandledError.js';
import { resolveBufferOptions } from '../internal/resolveBufferOptions.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';
import { askFor, type CreditBridge, creditBridge } from './internal/creditBridge.js';
import { listenTo } from './internal/listenTo.js';
import type { NodeWritableLike } from './NodeWritableLike.js';

type Sink<T> = (bridge: CreditBridge<T>, subscriber: Subscriber<never>) => void;

function hasMethod(value: object, key: string): boolean {
  return typeof (value as Record<string, unknown>)[key] === 'function';
}

function writeToNode<T>(writable: NodeWritableLike): Sink<T> {
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
    let finished = false;
    let waitingForDrain = false;
    let stopListening = (): void => undefined;
    const detach = (): void => {
      finished = true;
      stopListening();
    };
    const onDrain = (): void => {
      if (!waitingForDrain) return;
      waitingForDrain = false;
      askFor(bridge, 1);
    };
    const onFinish = (): void => {
      detach();
      subscriber.complete();
    };
    const onError = (error: unknown): void => {
      detach();
      subscriber.error(error);
    };
    const onClose = (): void => {
      detach();
      subscriber.error(
        new BackpressureError(
          'ERR_STREAM_PREMATURE_CLOSE',
          'writeTo(writable): the Node.js stream closed before it finished.',
        ),
      );
    };
    stopListening = listenTo(writable, { drain: onDrain, finish: onFinish, error: onError, close: onClose });
    subscriber.add(() => {
      if (finished) return;
      detach();
      if (typeof writable.destroy === 'function') writable.destroy();
    });
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

function writeToWeb<T>(writable: WritableStream<T>): Sink<T> {
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

const factoryForm = 'writeTo(writable, (credits) => pullFrom(producer, credits))';

/**
 * A sink: writes every item of the source into a Node.js writable or a WHATWG `WritableStream`, taking
 * items only while the writable has room. The output emits nothing; it completes once the writable has
 * finished.
 *
 * ```text
 * source:   (abcde|)                               a synchronous source; highWaterMark 2
 * write():  (ab)------'drain'-(cd)----'drain'-(e)  end()
 * output:   ------------------------------------------|   on 'finish'; emits nothing
 * ```
 *
 * - The source is subscribed through {@link requestCredits}: one credit at a time, granted again while
 *   `write()` returns `true`, and on `'drain'` after it returned `false` (Node); granted while the
 *   writer's `desiredSize` is positive, and again when `writer.ready` resolves (WHATWG). Items the source
 *   pushes meanwhile wait in the `requestCredits` buffer, shaped by `options` (`bufferSize` default 1024,
 *   `overflow` default `'error'`, ...), whose overflow error names the factory form.
 * - Factory form, `writeTo(writable, (credits) => pipeline, options?)`: returns the Observable at once,
 *   and the writable's room drives the pipeline's credits (a {@link ReadinessProvider}), so with
 *   {@link pullFrom} inside the producer itself is read only as the writable takes items, however the
 *   steps in between filter or merge them.
 * - When the source completes, the writable is ended (`end()` / `close()`), and the output completes
 *   after `'finish'` / when `close()` resolves. An error of the writable (or a Node stream that closes
 *   before it finished) errors the output.
 * - If the output ends any other way (the source errors, or it is unsubscribed), the writable is torn
 *   down: `destroy()` for a Node stream, `abort(reason)` for a WHATWG writer (whose lock is then
 *   released). A rejected `abort()` is reported like other teardown errors.
 * - A Node stream that has already ended, or a locked WHATWG stream, errors the output at subscription.
 *
 * Throws at once a `TypeError` when `writable` is neither kind, and for bad `options`.
 *
 * @example
 * ```ts
 * import { Writable } from 'node:stream';
 * import { range } from 'rxjs';
 * import { writeTo } from 'rxjs-backpressure';
 *
 * const slowDisk = new Writable({
 *   objectMode: true,
 *   highWaterMark: 4,
 *   write: (_line, _encoding, done) => setTimeout(done, 10),
 * });
 * range(0, 100).pipe(writeTo(slowDisk)).subscribe({ complete: () => console.log('all written') });
 * ```
 */
export function writeTo<T>(
  writable: NodeWritableLike | WritableStream<T>,
  options?: BufferOptions<T>,
): OperatorFunction<T, never>;
/**
 * The factory form of {@link writeTo}: the writable drives `source(credits)` itself, so with
 * {@link pullFrom} inside, the producer is read only as the writable has room.
 *
 * @example
 * ```ts
 * import { Writable } from 'node:stream';
 * import { pullFrom, writeTo } from 'rxjs-backpressure';
 *
 * function* rows() {
 *   for (let n = 0; n < 1_000; n++) yield `${n}\n`;
 * }
 * const slowDisk = new Writable({ highWaterMark: 64, write: (_chunk, _encoding, done) => setTimeout(done, 1) });
 * writeTo(slowDisk, (credits) => pullFrom(rows(), credits)).subscribe({ complete: () => console.log('written') });
 * ```
 */
export function writeTo<T>(
  writable: NodeWritableLike | WritableStream<T>,
  source: (credits: ReadinessProvider) => Observable<T>,
  options?: BufferOptions<T>,
): Observable<never>;
export function writeTo<T>(
  writable: NodeWritableLike | WritableStream<T>,
  sourceOrOptions?: BufferOptions<T> | ((credits: ReadinessProvider) => Observable<T>),
  factoryOptions?: BufferOptions<T>,
): OperatorFunction<T, never> | Observable<never> {
  let sink: Sink<T>;
  if (typeof writable === 'object' && writable !== null && hasMethod(writable, 'getWriter')) {
    sink = writeToWeb(writable as WritableStream<T>);
  } else if (
    typeof writable === 'object' &&
    writable !== null &&
    hasMethod(writable, 'write') &&
    hasMethod(writable, 'end') &&
    hasMethod(writable, 'on') &&
    hasMethod(writable, 'removeListener')
  ) {
    sink = writeToNode(writable as NodeWritableLike);
  } else {
    throw new TypeError(
      `writeTo(writable): writable must be a Node.js Writable or a WritableStream, got ${describeValue(writable)}.`,
    );
  }
  const factory = typeof sourceOrOptions === 'function' ? sourceOrOptions : undefined;
  const options = factory === undefined ? (sourceOrOptions as BufferOptions<T> | undefined) : factoryOptions;
  resolveBufferOptions(options, 'options', []);
  const write = (source: BridgeSource<T>): Observable<never> =>
    new Observable<never>((subscriber) => {
      try {
        sink(creditBridge(source, options, 'writeTo', factoryForm), subscriber);
      } catch (error) {
        subscriber.error(error);
      }
    });
  return factory === undefined ? write : write(factory);
}
