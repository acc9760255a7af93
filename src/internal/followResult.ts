import { isObservable, type Observable, Subscription } from 'rxjs';
import { describeValue } from '../core/validation.js';
import { isPromiseLike } from './isPromiseLike.js';
import { subscribeSafely, type UpstreamHandlers } from './subscribeSafely.js';

/**
 * What a call may answer with that is neither a Promise nor an Observable: `'value'` takes it as the
 * answer itself (a `TrackedService` handler may answer synchronously); `'refused'` fails the call with
 * a `TypeError` naming it, since a `Service` promises a Promise or an Observable.
 */
export type PlainAnswer = 'value' | 'refused';

/**
 * The one place that tells what a call returned (`service.do(req)`, a handler, a provider) and follows
 * it to its end, reported through `handlers` as an Observable would report it:
 * - an Observable: subscribed through `owner` (see `subscribeSafely`; a new subscription when none is
 *   given), every value, then its end; the subscription is returned so the caller can stop it;
 * - a thenable: its value then `complete`, or its error, ignored once `owner` is closed;
 * - anything else: as `plain` says; `what` names the call in the `TypeError` (`'service.do(req)'`).
 *
 * `error` or `complete` is called once, and nothing after it: the one "settle a call once" of the
 * library (with {@link LastValue} when the call has one result).
 */
export function followResult<T>(
  result: Promise<T> | PromiseLike<T> | Observable<T> | T,
  what: string,
  plain: PlainAnswer,
  owner: Subscription | undefined,
  handlers: UpstreamHandlers<T>,
): Subscription | undefined {
  if (isObservable(result)) {
    return subscribeSafely(result as Observable<T>, owner ?? new Subscription(), handlers);
  }
  if (isPromiseLike(result)) {
    // Adopted by a real Promise, so a thenable that calls both callbacks still settles once.
    Promise.resolve(result as PromiseLike<T>).then(
      (value) => {
        if (owner?.closed) return;
        handlers.next(value);
        handlers.complete();
      },
      (error: unknown) => {
        if (!owner?.closed) handlers.error(error);
      },
    );
  } else if (plain === 'value') {
    handlers.next(result as T);
    handlers.complete();
  } else {
    handlers.error(
      new TypeError(`${what} must return a Promise or an Observable, got ${describeValue(result)}.`),
    );
  }
  return undefined;
}
