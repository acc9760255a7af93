import { isObservable, type Observable, Subscription } from 'rxjs';
import type { Service } from '../core/Service.js';
import { describeValue } from '../core/validation.js';
import { isPromiseLike } from './isPromiseLike.js';
import { subscribeForLastValue } from './subscribeForLastValue.js';

/**
 * The last value of an Observable result, as `subscribeForLastValue` defines it. When `signal` aborts
 * first, `work` is unsubscribed at once and the promise rejects with the signal's reason.
 */
function lastValue<Res>(work: Observable<Res>, signal: AbortSignal | undefined): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const owner = new Subscription();
    if (signal !== undefined) {
      const onAbort = (): void => {
        owner.unsubscribe();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      owner.add(() => signal.removeEventListener('abort', onAbort));
    }
    subscribeForLastValue(work, owner, 'The Observable of service.do(req)', {
      resolve: (value) => {
        owner.unsubscribe();
        resolve(value);
      },
      reject: (error) => {
        owner.unsubscribe();
        reject(error);
      },
    });
  });
}

/**
 * Calls `service.do(req, signal)` for one result, always as a Promise: a synchronous throw rejects, an
 * Observable gives its last value, and anything but a Promise or an Observable rejects with a
 * `TypeError` naming what came back.
 */
export function callService<Req, Res>(
  service: Service<Req, Res>,
  req: Req,
  signal?: AbortSignal,
): Promise<Res> {
  let result: Promise<Res> | Observable<Res>;
  try {
    result = signal === undefined ? service.do(req) : service.do(req, signal);
  } catch (error) {
    return Promise.reject(error);
  }
  if (isObservable(result)) return lastValue(result, signal);
  if (isPromiseLike(result)) return Promise.resolve(result);
  return Promise.reject(
    new TypeError(`service.do(req) must return a Promise or an Observable, got ${describeValue(result)}.`),
  );
}
