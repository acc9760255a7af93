import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import type { ReadinessProvider } from '../credits/ReadinessProvider.js';
import { BackpressureError } from '../errors/BackpressureError.js';
import { type CreditBridge, creditBridge } from '../internal/creditBridge.js';
import { describeValue } from '../internal/describeValue.js';
import { reportUnhandledError } from '../internal/reportUnhandledError.js';
import { resolveBufferOptions } from '../internal/resolveBufferOptions.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';
import type { BufferOptions } from '../operators/BufferOptions.js';
import type { BridgeSource } from './BridgeOptions.js';
import type { NodeWritableLike } from './NodeWritableLike.js';

type Sink<T> = (bridge: CreditBridge<T>, subscriber: Subscriber<never>) => void;

/** Room for one more item: the gate may let one through, and a factory's pipeline may read one. */
function grantOne<T>(bridge: CreditBridge<T>): void {
  bridge.request(1);
  bridge.supply(1);
}

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
    const detach = (): void => {
      finished = true;
      writable.removeListener('drain', onDrain);
      writable.removeListener('finish', onFinish);
      writable.removeListener('error', onError);
      writable.removeListener('close', onClose);
    };
    const onDrain = (): void => {
      if (!waitingForDrain) return;
      waitingForDrain = false;
      grantOne(bridge);
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
    writable.on('drain', onDrain);
    writable.on('finish', onFinish);
    writable.on('error', onError);
    writable.on('close', onClose);
    subscriber.add(() => {
      if (finished) return;
      detach();
      if (typeof writable.destroy === 'function') writable.destroy();
    });
    // Granted before the source starts, so a synchronous source finds its first credit already there.
    grantOne(bridge);
    subscribeSafely(bridge.output, subscriber, {
      next: (item) => {
        let hasRoom: boolean;
        try {
          hasRoom = writable.write(item);
        } catch (error) {
          subscriber.error(error);
          return;
        }
        if (hasRoom) grantOne(bridge);
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
        grantOne(bridge);
        return;
      }
      writer.ready.then(
        () => {
          if (!settled) grantOne(bridge);
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
