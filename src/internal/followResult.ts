import { isObservable, type Observable, Subscription } from 'rxjs';
import { describeValue } from '../core/validation.js';
import { isPromiseLike } from './isPromiseLike.js';
import { LastValue, type Settlement } from './LastValue.js';
import { subscribeSafely, type UpstreamHandlers } from './subscribeSafely.js';

/**
 * What a call may answer with that is neither a Promise nor an Observable: `'value'` takes it as the
 * answer itself (a `TrackedService` handler may answer synchronously); `'refused'` fails the call with
 * a `TypeError` naming it, since a `Service` promises a Promise or an Observable.
 */
export type PlainAnswer = 'value' | 'refused';

/**
 * The one place that tells what a call returned (`service.do(req)`, a handler, a provider) and follows
 * it to its end, once:
 * - a thenable: its value to `settlement.resolve`, or its error to `settlement.reject`; ignored once
 *   `owner` is closed;
 * - anything else: as `plain` says; `what` names the call in the `TypeError` (`'service.do(req)'`);
 * - an Observable: subscribed through `owner` (see `subscribeSafely`; a new subscription when none is
 *   given), and returned so the caller can stop it. Its values go to `each` when the caller takes every
 *   value (withHandshake), else its last value settles the call (see {@link LastValue}).
 *
 * One result ends in exactly one of `resolve` and `reject`, every value in one `error` or `complete`,
 * and nothing comes after. A Promise, the common answer, costs its two callbacks and nothing more.
 */
export function followResult<T>(
  result: Promise<T> | PromiseLike<T> | Observable<T> | T,
  what: string,
  plain: PlainAnswer,
  owner: Subscription | undefined,
  settlement: Settlement<T>,
  each?: UpstreamHandlers<T>,
): Subscription | undefined {
  if (isObservable(result)) {
    return subscribeSafely(
      result as Observable<T>,
      owner ?? new Subscription(),
      each ?? new LastValue(settlement, what),
    );
  }
  if (isPromiseLike(result)) {
    // Adopted by a real Promise, so a thenable that calls both callbacks still settles once.
    Promise.resolve(result as PromiseLike<T>).then(
      (value) => {
        if (!owner?.closed) settlement.resolve(value);
      },
      (error: unknown) => {
        if (!owner?.closed) settlement.reject(error);
      },
    );
  } else if (plain === 'value') {
    settlement.resolve(result as T);
  } else {
    settlement.reject(
      new TypeError(`${what} must return a Promise or an Observable, got ${describeValue(result)}.`),
    );
  }
  return undefined;
}
