import { BackpressureError } from '../errors/BackpressureError.js';
import type { UpstreamHandlers } from './subscribeSafely.js';

/** Where a call with one result reports it (see {@link LastValue}), exactly once. */
export interface Settlement<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Turns a call's stream of answers into its one result, as a promise would hold it: the last value
 * when it completes, its error when it errors, and a {@link BackpressureError} of code
 * `'ERR_EMPTY_RESULT'` naming the call when it completes without any value, since resolving with
 * `undefined` would hand the caller a value that was never produced. What `followResult` subscribes an
 * Observable answer with when the call has one result; one object a call, no closures.
 */
export class LastValue<T> implements UpstreamHandlers<T> {
  readonly #settlement: Settlement<T>;
  readonly #what: string;
  #last: T | undefined;
  #hasValue = false;

  /** `what` names the call in the empty-result error: `'service.do(req)'`. */
  constructor(settlement: Settlement<T>, what: string) {
    this.#settlement = settlement;
    this.#what = what;
  }

  next(value: T): void {
    this.#last = value;
    this.#hasValue = true;
  }

  error(error: unknown): void {
    this.#settlement.reject(error);
  }

  complete(): void {
    if (this.#hasValue) {
      this.#settlement.resolve(this.#last as T);
    } else {
      this.#settlement.reject(
        new BackpressureError(
          'ERR_EMPTY_RESULT',
          `The Observable returned by ${this.#what} completed without a value, so there is no result to resolve with.`,
        ),
      );
    }
  }
}
