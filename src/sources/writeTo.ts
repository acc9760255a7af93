import { Observable, type OperatorFunction } from 'rxjs';
import type { BridgeSource } from '../core/BridgeOptions.js';
import type { BufferOptions } from '../core/BufferOptions.js';
import type { ReadinessProvider } from '../core/ReadinessProvider.js';
import { describeValue } from '../core/validation.js';
import { resolveBufferOptions } from '../internal/resolveBufferOptions.js';
import { creditBridge } from './internal/creditBridge.js';
import { hasMethods } from './internal/hasMethods.js';
import type { Sink } from './internal/Sink.js';
import { writeToNode } from './internal/writeToNode.js';
import { writeToWeb } from './internal/writeToWeb.js';
import type { NodeWritableLike } from './NodeWritableLike.js';

const factoryForm = 'writeTo(writable, (credits) => pullFrom(producer, credits))';

/** The sink for the kind of `writable`, one in `./internal/` for each. */
function sinkFor<T>(writable: NodeWritableLike | WritableStream<T>): Sink<T> {
  if (typeof writable === 'object' && writable !== null) {
    if (hasMethods(writable, 'getWriter')) return writeToWeb(writable as WritableStream<T>);
    if (hasMethods(writable, 'write', 'end', 'on', 'removeListener')) {
      return writeToNode(writable as NodeWritableLike);
    }
  }
  throw new TypeError(
    `writeTo(writable): writable must be a Node.js Writable or a WritableStream, got ${describeValue(writable)}.`,
  );
}

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
  const sink = sinkFor(writable);
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
