import { Observable } from 'rxjs';
import type { CreditSource } from '../core/CreditProvider.js';
import type { ReadinessProvider } from '../core/ReadinessProvider.js';
import { describeValue, knownOptions } from '../core/validation.js';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { CreditAdmission } from '../internal/CreditAdmission.js';
import { ReadinessDemand } from '../internal/ReadinessDemand.js';
import { StallWatch } from '../internal/StallWatch.js';
import { subscribeCredits } from '../internal/subscribeCredits.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';
import { monitorOption } from '../monitor/monitorOption.js';
import { CountedReads } from './internal/CountedReads.js';
import { hasMethods } from './internal/hasMethods.js';
import { pullProbe } from './internal/pullProbe.js';
import { pullStall, pullWait } from './internal/pullWait.js';
import type { Demand, OpenReader, Reader } from './internal/Reader.js';
import { readAsyncIterable } from './internal/readAsyncIterable.js';
import { readIterable } from './internal/readIterable.js';
import { readNodeStream } from './internal/readNodeStream.js';
import { readWebStream } from './internal/readWebStream.js';
import type { NodeReadableLike } from './NodeReadableLike.js';
import type { PullFromOptions } from './PullFromOptions.js';

/**
 * Every pull-based producer {@link pullFrom} reads: an `Iterable`, an `AsyncIterable`, a web
 * `ReadableStream` or a Node.js readable stream.
 *
 * @example
 * ```ts
 * import type { PullSource } from 'rxjs-backpressure';
 *
 * const rows: PullSource<string> = ['id,name', '1,Ada', '2,Grace'];
 * ```
 */
export type PullSource<T> = Iterable<T> | AsyncIterable<T> | ReadableStream<T> | NodeReadableLike;

/** Told by shape: `isReady()` beside `credits$` (a HandshakeProvider, a CreditStage, which is a function). */
function isReadinessProvider(credits: unknown): credits is ReadinessProvider {
  return (
    (typeof credits === 'object' || typeof credits === 'function') &&
    credits !== null &&
    typeof (credits as Partial<ReadinessProvider>).isReady === 'function' &&
    'credits$' in credits
  );
}

/** The reader for the kind of `source`, one in `./internal/` for each. */
function openerFor<T>(source: PullSource<T>): OpenReader<T> {
  if (typeof source === 'object' && source !== null) {
    if (hasMethods(source, 'getReader')) return readWebStream(source as ReadableStream<T>);
    // Before the async-iterable test: a Node stream is async-iterable too, but that iterator cannot be
    // cancelled while a read is pending.
    if (hasMethods(source, 'read', 'on', 'removeListener')) return readNodeStream(source as NodeReadableLike);
    if (hasMethods(source, Symbol.asyncIterator)) return readAsyncIterable(source as AsyncIterable<T>);
  }
  if (
    (typeof source === 'object' && source !== null && hasMethods(source, Symbol.iterator)) ||
    typeof source === 'string'
  ) {
    return readIterable(source as Iterable<T>);
  }
  throw new TypeError(
    `pullFrom(source): source must be an Iterable, an AsyncIterable, a ReadableStream or a Node.js Readable, got ${describeValue(source)}.`,
  );
}

/**
 * Reads a pull-based producer only as credits arrive, so the producer itself slows down: the next item
 * is read only while outstanding credit is above zero, and nothing is buffered.
 *
 * ```text
 * source:  (iterator 0, 1, 2, 3, ...)
 * credits: 2-------1------2---------
 * output:  (01)----2------(34)------
 *          next() is called 5 times, once per credit
 * ```
 *
 * - An `Iterable` is read in a loop, never recursively; an `AsyncIterable` or web `ReadableStream` (through
 *   its reader) has at most one `next()`/`read()` pending at a time, started only against a credit.
 * - A Node.js `Readable` is read in paused mode, through `'readable'` and `read()`, one chunk per credit.
 *   The stream still fills its own internal buffer (up to its `highWaterMark`) ahead of credit, as every
 *   Node stream does; nothing is read beyond that.
 * - Credits come from a {@link CreditProvider} or an `Observable<number>`; a bad grant errors the output
 *   with a `RangeError` or `TypeError`. A total beyond `MAX_SAFE_INTEGER`, or `Infinity`, is unbounded.
 * - Or from a {@link ReadinessProvider} (anything with `isReady()` beside `credits$`: a
 *   {@link HandshakeProvider}, the stage {@link mergeMapWithCredits} returns): then nothing is counted.
 *   `isReady()` is asked before every read, nothing is read while it answers `false`, and each value of
 *   `credits$` only wakes the reader to ask again. Items a synchronous step drops (`filter`, `skip`) or
 *   holds (`bufferCount`) on the way cost nothing, so the loop cannot leak. Items in transit through an
 *   asynchronous step are not seen by `isReady()`: at most 1024 items are read in a row while the
 *   provider stays ready, then the event loop turns (a timer of 0 ms) before it is asked again, so such
 *   items can arrive, and a long run of dropped items still goes on. Once `credits$` completes, a
 *   provider that is not ready is asked again after each turn. A throwing `isReady()` errors the output.
 * - When the credit signal completes, outstanding credit is still used; once it is spent the output
 *   completes and the source is released, as with `take(n)`. The credit signal erroring errors the output.
 * - Learning that the source has ended is a read too (`next()` answering `done`), so it waits for
 *   credit like any read: after the last item, the output completes at the next grant, or when the
 *   credit signal completes.
 * - Errors thrown by the iterator or the stream error the output.
 * - Unsubscribing (including `take(n)` downstream) calls `return()` on the iterator, `cancel()` on the
 *   web reader (then releases its lock) or `destroy()` on the Node stream: exactly once, and never after
 *   the source ended by itself (done, or an error). Errors thrown or rejected by `return()`/`cancel()`
 *   at that point have no output left to go to: they are reported through RxJS's
 *   `config.onUnhandledError` (or thrown asynchronously when it is unset), never swallowed. The outcome
 *   of a read still pending when the consumer left is ignored.
 * - `options.monitor` reports the items read, the credit and whether the source is still open to a
 *   {@link FlowMonitor}, whose `stalled` alert then tells a source left waiting for credit.
 * - In Node.js, when the event loop empties while the source has not ended and no credit is left
 *   (or the readiness provider is not ready), nothing can ever move it again: one line on stderr names
 *   `pullFrom`, what it waits for and the likely cause, instead of an exit in silence. Set the
 *   environment variable `RXJS_BACKPRESSURE_STALL_WARNING=off` to silence it.
 * - Every subscription opens the source afresh (`[Symbol.iterator]()`, `getReader()`, listeners): an
 *   array can be read again, a generator or a stream only once.
 *
 * Throws a `TypeError` at once when `source` is none of these, or `credits` is not a credit source.
 *
 * @example
 * ```ts
 * import { CreditController, pullFrom } from 'rxjs-backpressure';
 *
 * function* naturals() {
 *   for (let n = 0; ; n++) yield n;
 * }
 * const credits = new CreditController({ initial: 3 });
 * pullFrom(naturals(), credits).subscribe((n) => {
 *   console.log(n); // 0, 1, 2 at once; then one more per grant
 * });
 * credits.grant(1); // the generator runs once more: 3
 * ```
 */
export function pullFrom<T>(
  source: PullSource<T>,
  credits: CreditSource | ReadinessProvider,
  options?: PullFromOptions,
): Observable<T> {
  const open = openerFor(source);
  const readiness = isReadinessProvider(credits) ? credits : undefined;
  const signal = toCreditSignal(
    readiness === undefined ? (credits as CreditSource) : { credits$: readiness.credits$ },
    'pullFrom(source, credits): credits',
  );
  knownOptions(options, ['monitor'], 'options');
  const monitor = monitorOption(options?.monitor, 'options.monitor');
  return new Observable<T>((subscriber) => {
    let reader: Reader | undefined;
    const drain = (): void => reader?.drain();
    const counted =
      readiness === undefined
        ? new CreditAdmission<T>(undefined)
        : new ReadinessDemand(readiness, subscriber, drain);
    // Counting reads costs a call per item: only a monitored pullFrom pays it.
    const reads = monitor === undefined ? undefined : new CountedReads(counted);
    const demand: Demand = { credit: reads ?? counted, signalEnded: false };
    const waitsFor = (): string | undefined => pullWait(demand, readiness);
    const probe = reads === undefined ? undefined : pullProbe(reads, waitsFor, subscriber, readiness);
    if (probe !== undefined && monitor?.watchStage(subscriber, probe) === false) return;
    try {
      reader = open(subscriber, demand);
    } catch (error) {
      subscriber.error(error);
      return;
    }
    const opened = reader;
    // Registered before the credit signal starts, so a synchronous unsubscription releases at once.
    subscriber.add(() => opened.release());
    subscriber.add(new StallWatch(() => (subscriber.closed ? undefined : pullStall(waitsFor()))));
    if (counted instanceof ReadinessDemand) {
      subscribeSafely(signal, subscriber, {
        next: () => {
          counted.wake();
          opened.drain();
        },
        error: (error) => subscriber.error(error),
        complete: () => {
          counted.wakeUpsEnded();
          opened.drain();
        },
      });
      opened.drain();
      return;
    }
    subscribeCredits(
      signal,
      subscriber,
      {
        next: (grant) => {
          counted.grant(grant);
          opened.drain();
        },
        error: (error) => subscriber.error(error),
        complete: () => {
          demand.signalEnded = true;
          opened.drain();
        },
      },
      // A token bucket learns what each read spends, so it needs no meter after pullFrom.
      counted,
    );
  });
}
