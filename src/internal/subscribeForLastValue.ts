import type { Observable, Subscription } from 'rxjs';
import { BackpressureError } from '../errors/BackpressureError.js';
import { subscribeSafely } from './subscribeSafely.js';

/** Where {@link subscribeForLastValue} reports the outcome, exactly once. */
export interface LastValueHandlers<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Subscribes to `source` for a single result, as a promise would hold it: the last value when it
 * completes, its error when it errors, and a {@link BackpressureError} of code `'ERR_EMPTY_RESULT'`
 * naming `what` when it completes without any value, since resolving with `undefined` would hand the
 * caller a value that was never produced. Subscribed through `owner` (see `subscribeSafely`), so
 * unsubscribing `owner` stops even a synchronous source at once.
 */
export function subscribeForLastValue<T>(
  source: Observable<T>,
  owner: Subscription,
  what: string,
  handlers: LastValueHandlers<T>,
): void {
  let last: T | undefined;
  let hasValue = false;
  subscribeSafely(source, owner, {
    next: (value) => {
      last = value;
      hasValue = true;
    },
    error: (error) => handlers.reject(error),
    complete: () => {
      if (hasValue) {
        handlers.resolve(last as T);
      } else {
        handlers.reject(
          new BackpressureError(
            'ERR_EMPTY_RESULT',
            `${what} completed without a value, so there is no result to resolve with.`,
          ),
        );
      }
    },
  });
}
