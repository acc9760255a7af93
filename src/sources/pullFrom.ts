import { Observable, type Subscriber } from 'rxjs';
import type { CreditSource } from '../credits/CreditProvider.js';
import type { ReadinessProvider } from '../credits/ReadinessProvider.js';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { BackpressureError } from '../errors/BackpressureError.js';
import { CreditAdmission } from '../internal/CreditAdmission.js';
import { describeValue } from '../internal/describeValue.js';
import { ReadinessDemand } from '../internal/ReadinessDemand.js';
import { reportUnhandledError } from '../internal/reportUnhandledError.js';
import { optionsObject, refuseUnknownKeys } from '../internal/resolveBufferOptions.js';
import { StallWatch } from '../internal/StallWatch.js';
import { subscribeCredits } from '../internal/subscribeCredits.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';
import { monitorOption } from '../monitor/monitorOption.js';
import { type DropReason, dropReasons } from '../operators/DropReason.js';
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

/** What the readers spend: counted credit, or a {@link ReadinessDemand} that answers 1 while ready. */
interface ReadCredit {
  readonly outstanding: number;
  admit(): void;
}

/** Outstanding credit, plus whether the credit signal has ended (no more grants will come). */
interface Demand {
  readonly credit: ReadCredit;
  signalEnded: boolean;
}

/** One subscription's hold on the source. */
interface Reader {
  /** Reads while credit lasts; completes the output once credit is exhausted for good. */
  drain(): void;
  /** Lets go of the source: return() / cancel() / destroy(), unless it ended by itself. */
  release(): void;
}

type OpenReader<T> = (subscriber: Subscriber<T>, demand: Demand) => Reader;

const exhausted = (demand: Demand): boolean => demand.signalEnded && demand.credit.outstanding === 0;

function notAResult(result: unknown): TypeError | undefined {
  return typeof result === 'object' && result !== null
    ? undefined
    : new TypeError(
        `pullFrom(source): the iterator's next() must return an object, got ${describeValue(result)}.`,
      );
}

const arrayValues = Array.prototype[Symbol.iterator];

/** `iterable` itself when it is an array read through the array iterator, which indexing stands in for. */
function plainArray<T>(iterable: Iterable<T>): readonly T[] | undefined {
  return Array.isArray(iterable) && iterable[Symbol.iterator] === arrayValues ? iterable : undefined;
}

function readIterable<T>(iterable: Iterable<T>): OpenReader<T> {
  return (subscriber, demand) => {
    // A plain array is read by index, as from(array) reads it, with no iterator result per item.
    const array = plainArray(iterable);
    let index = 0;
    const iterator = array === undefined ? iterable[Symbol.iterator]() : undefined;
    let ended = false;
    let draining = false;
    // A loop, never recursion: a grant made inside the downstream `next` lands in the loop running below it.
    const drain = (): void => {
      if (draining || ended) return;
      draining = true;
      try {
        while (!subscriber.closed && demand.credit.outstanding > 0) {
          if (array !== undefined) {
            if (index >= array.length) {
              ended = true;
              subscriber.complete();
              return;
            }
            demand.credit.admit();
            subscriber.next(array[index++] as T);
            continue;
          }
          let result: IteratorResult<T>;
          try {
            result = (iterator as Iterator<T>).next();
          } catch (error) {
            ended = true;
            subscriber.error(error);
            return;
          }
          const invalid = notAResult(result);
          if (invalid !== undefined || result.done === true) {
            ended = true;
            if (invalid === undefined) subscriber.complete();
            else subscriber.error(invalid);
            return;
          }
          demand.credit.admit();
          subscriber.next(result.value);
        }
        if (exhausted(demand)) subscriber.complete();
      } finally {
        draining = false;
      }
    };
    return {
      drain,
      release: () => {
        if (ended) return;
        ended = true;
        if (typeof iterator?.return !== 'function') return;
        try {
          iterator.return();
        } catch (error) {
          reportUnhandledError(error);
        }
      },
    };
  };
}

/** A source read one promise at a time: an async iterator, or a web stream's reader. */
interface AsyncPull<T> {
  next(): PromiseLike<IteratorResult<T>> | IteratorResult<T>;
  /** Called once when the source ended by itself (done or error). */
  ended(): void;
  /** Called once when the consumer leaves first. */
  cancel(): void;
}

function readAsync<T>(subscriber: Subscriber<T>, demand: Demand, pull: AsyncPull<T>): Reader {
  let ended = false;
  let pending = false;
  const fail = (error: unknown): void => {
    pending = false;
    // The consumer left while this read was pending: it asked for nothing more, so there is nowhere to go.
    if (ended) return;
    ended = true;
    pull.ended();
    subscriber.error(error);
  };
  const receive = (result: IteratorResult<T>): void => {
    pending = false;
    if (ended) return;
    const invalid = notAResult(result);
    if (invalid !== undefined) {
      fail(invalid);
    } else if (result.done === true) {
      ended = true;
      pull.ended();
      subscriber.complete();
    } else {
      subscriber.next(result.value);
      drain();
    }
  };
  // At most one read pending: the next one starts only once the last one has settled.
  const drain = (): void => {
    if (pending || ended || subscriber.closed) return;
    if (demand.credit.outstanding > 0) {
      pending = true;
      demand.credit.admit();
      let result: PromiseLike<IteratorResult<T>> | IteratorResult<T>;
      try {
        result = pull.next();
      } catch (error) {
        fail(error);
        return;
      }
      Promise.resolve(result).then(receive, fail);
    } else if (exhausted(demand)) {
      subscriber.complete();
    }
  };
  return {
    drain,
    release: () => {
      if (ended) return;
      ended = true;
      pull.cancel();
    },
  };
}

function readAsyncIterable<T>(iterable: AsyncIterable<T>): OpenReader<T> {
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

function readWebStream<T>(stream: ReadableStream<T>): OpenReader<T> {
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

function readNodeStream<T>(stream: NodeReadableLike): OpenReader<T> {
  return (subscriber, demand) => {
    let ended = false;
    let draining = false;
    const detach = (): void => {
      stream.removeListener('readable', drain);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
    };
    const end = (): void => {
      ended = true;
      detach();
    };
    const onEnd = (): void => {
      end();
      subscriber.complete();
    };
    const onError = (error: unknown): void => {
      end();
      subscriber.error(error);
    };
    const onClose = (): void => {
      end();
      subscriber.error(
        new BackpressureError(
          'ERR_STREAM_PREMATURE_CLOSE',
          'pullFrom(source): the Node.js stream closed before it ended.',
        ),
      );
    };
    // Listening to 'readable' pauses the stream: it then fills only its own buffer (highWaterMark), and
    // read() hands over one chunk per credit.
    function drain(): void {
      if (draining || ended) return;
      draining = true;
      try {
        while (!subscriber.closed && demand.credit.outstanding > 0) {
          let chunk: unknown;
          try {
            chunk = stream.read();
          } catch (error) {
            onError(error);
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
    }
    const release = (): void => {
      if (ended) return;
      end();
      if (typeof stream.destroy === 'function') stream.destroy();
    };

    if (stream.readableEnded === true) {
      ended = true;
      subscriber.complete();
    } else if (stream.destroyed === true) {
      if (stream.errored !== null && stream.errored !== undefined) onError(stream.errored);
      else onClose();
    } else {
      stream.on('readable', drain);
      stream.on('end', onEnd);
      stream.on('error', onError);
      stream.on('close', onClose);
    }
    return { drain, release };
  };
}

/** What a pullFrom without credit waits for, or `undefined` when it may read. */
function creditWait(outstanding: number, signalEnded: boolean): string | undefined {
  return outstanding > 0 || signalEnded ? undefined : 'no credit';
}

function readinessWait(provider: ReadinessProvider): string | undefined {
  try {
    return provider.isReady() ? undefined : 'a consumer that is not ready';
  } catch {
    return 'a consumer whose isReady() throws';
  }
}

function stallOf(waitingFor: string | undefined): string | undefined {
  if (waitingFor === undefined) return undefined;
  return `pullFrom stalled: its source has not ended and it has ${waitingFor}. Did a step between pullFrom and the code that grants drop or merge items (filter, skip, bufferCount), so their credit never came back? Close the loop without counting: pullFrom(source, stage).pipe(..., stage) with stage = mergeMapWithCredits(work)`;
}

/** A monitored pullFrom's demand: the same, counting every read for the monitor's ledger. */
class CountedReads implements ReadCredit {
  readonly #demand: ReadCredit;
  received = 0;
  readonly buffered = 0;
  readonly dropped = noDrops;

  constructor(demand: ReadCredit) {
    this.#demand = demand;
  }

  get delivered(): number {
    return this.received;
  }

  get outstanding(): number {
    return this.#demand.outstanding;
  }

  admit(): void {
    this.received++;
    this.#demand.admit();
  }
}

const noDrops: Readonly<Record<DropReason, number>> = Object.freeze(
  Object.fromEntries(dropReasons.map((reason) => [reason, 0])) as Record<DropReason, number>,
);

/** Told by shape: `isReady()` beside `credits$` (a HandshakeProvider, a CreditStage, which is a function). */
function isReadinessProvider(credits: unknown): credits is ReadinessProvider {
  return (
    (typeof credits === 'object' || typeof credits === 'function') &&
    credits !== null &&
    typeof (credits as Partial<ReadinessProvider>).isReady === 'function' &&
    'credits$' in credits
  );
}

function hasMethod(value: object, key: PropertyKey): boolean {
  return typeof (value as Record<PropertyKey, unknown>)[key] === 'function';
}

function openerFor<T>(source: PullSource<T>): OpenReader<T> {
  if (typeof source === 'object' && source !== null) {
    if (hasMethod(source, 'getReader')) return readWebStream(source as ReadableStream<T>);
    // Before the async-iterable test: a Node stream is async-iterable too, but that iterator cannot be
    // cancelled while a read is pending.
    if (hasMethod(source, 'read') && hasMethod(source, 'on') && hasMethod(source, 'removeListener')) {
      return readNodeStream(source as NodeReadableLike);
    }
    if (hasMethod(source, Symbol.asyncIterator)) return readAsyncIterable(source as AsyncIterable<T>);
  }
  if (
    (typeof source === 'object' && source !== null && hasMethod(source, Symbol.iterator)) ||
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
  refuseUnknownKeys(optionsObject(options, 'options'), ['monitor'], 'options');
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
    const waitsFor = (): string | undefined =>
      readiness === undefined
        ? creditWait(demand.credit.outstanding, demand.signalEnded)
        : readinessWait(readiness);
    if (reads !== undefined) {
      const probe = {
        ledger: reads,
        bufferSize: 0,
        credit: {
          get outstanding() {
            return waitsFor() === undefined ? 1 : 0;
          },
        },
        source: {
          get open() {
            return !subscriber.closed;
          },
        },
        consumer: readiness,
      };
      if (monitor?.watchStage(subscriber, probe) === false) return;
    }
    try {
      reader = open(subscriber, demand);
    } catch (error) {
      subscriber.error(error);
      return;
    }
    const opened = reader;
    // Registered before the credit signal starts, so a synchronous unsubscription releases at once.
    subscriber.add(() => opened.release());
    subscriber.add(new StallWatch(() => (subscriber.closed ? undefined : stallOf(waitsFor()))));
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
