import { Observable, type Subscriber } from 'rxjs';
import type { CreditSource } from '../credits/CreditProvider.js';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { BackpressureError } from '../errors/BackpressureError.js';
import { CreditAdmission } from '../internal/CreditAdmission.js';
import { describeValue } from '../internal/describeValue.js';
import { reportUnhandledError } from '../internal/reportUnhandledError.js';
import { subscribeCredits } from '../internal/subscribeCredits.js';

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
export type PullSource<T> = Iterable<T> | AsyncIterable<T> | ReadableStream<T> | NodeJS.ReadableStream;

/** Outstanding credit, plus whether the credit signal has ended (no more grants will come). */
interface Demand<T> {
  readonly credit: CreditAdmission<T>;
  signalEnded: boolean;
}

/** One subscription's hold on the source. */
interface Reader {
  /** Reads while credit lasts; completes the output once credit is exhausted for good. */
  drain(): void;
  /** Lets go of the source: return() / cancel() / destroy(), unless it ended by itself. */
  release(): void;
}

type OpenReader<T> = (subscriber: Subscriber<T>, demand: Demand<T>) => Reader;

/** Minimal view of a Node.js readable: what every Node stream has, plus what `stream.Readable` adds. */
interface NodeReadable {
  read(): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  destroy?(): unknown;
  readonly readableEnded?: boolean;
  readonly destroyed?: boolean;
  readonly errored?: unknown;
}

const exhausted = <T>(demand: Demand<T>): boolean => demand.signalEnded && demand.credit.outstanding === 0;

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

function readAsync<T>(subscriber: Subscriber<T>, demand: Demand<T>, pull: AsyncPull<T>): Reader {
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

function readNodeStream<T>(stream: NodeReadable): OpenReader<T> {
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

function hasMethod(value: object, key: PropertyKey): boolean {
  return typeof (value as Record<PropertyKey, unknown>)[key] === 'function';
}

function openerFor<T>(source: PullSource<T>): OpenReader<T> {
  if (typeof source === 'object' && source !== null) {
    if (hasMethod(source, 'getReader')) return readWebStream(source as ReadableStream<T>);
    // Before the async-iterable test: a Node stream is async-iterable too, but that iterator cannot be
    // cancelled while a read is pending.
    if (hasMethod(source, 'read') && hasMethod(source, 'on') && hasMethod(source, 'removeListener')) {
      return readNodeStream(source as unknown as NodeReadable);
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
export function pullFrom<T>(source: PullSource<T>, credits: CreditSource): Observable<T> {
  const open = openerFor(source);
  const signal = toCreditSignal(credits, 'pullFrom(source, credits): credits');
  return new Observable<T>((subscriber) => {
    const demand: Demand<T> = { credit: new CreditAdmission<T>(undefined), signalEnded: false };
    let reader: Reader;
    try {
      reader = open(subscriber, demand);
    } catch (error) {
      subscriber.error(error);
      return;
    }
    // Registered before the credit signal starts, so a synchronous unsubscription releases at once.
    subscriber.add(() => reader.release());
    subscribeCredits(signal, subscriber, {
      next: (grant) => {
        demand.credit.grant(grant);
        reader.drain();
      },
      error: (error) => subscriber.error(error),
      complete: () => {
        demand.signalEnded = true;
        reader.drain();
      },
    });
  });
}
