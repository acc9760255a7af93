import type { Subscriber } from 'rxjs';
import { describeValue } from '../../core/validation.js';

// The contract between pullFrom and its readers, one reader a kind of source (readIterable,
// readAsyncIterable, readWebStream, readNodeStream): pullFrom keeps the credit and the subscription, a
// reader reads while credit lasts and lets go of its source; with the checks the readers share.

/** What the readers spend: counted credit, or a `ReadinessDemand` that answers 1 while ready. */
export interface ReadCredit {
  readonly outstanding: number;
  admit(): void;
}

/** Outstanding credit, plus whether the credit signal has ended (no more grants will come). */
export interface Demand {
  readonly credit: ReadCredit;
  signalEnded: boolean;
}

/** One subscription's hold on the source. */
export interface Reader {
  /** Reads while credit lasts; completes the output once credit is exhausted for good. */
  drain(): void;
  /** Lets go of the source: return() / cancel() / destroy(), unless it ended by itself. */
  release(): void;
}

/** Opens a source for one subscription. */
export type OpenReader<T> = (subscriber: Subscriber<T>, demand: Demand) => Reader;

/** Whether no credit is left and none will come: the output completes, as with `take(n)`. */
export function exhausted(demand: Demand): boolean {
  return demand.signalEnded && demand.credit.outstanding === 0;
}

/** A `TypeError` when an iterator's `next()` answered something other than an object. */
export function notAResult(result: unknown): TypeError | undefined {
  return typeof result === 'object' && result !== null
    ? undefined
    : new TypeError(
        `pullFrom(source): the iterator's next() must return an object, got ${describeValue(result)}.`,
      );
}
