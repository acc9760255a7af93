import { isObservable, type Observable, Subscription } from 'rxjs';
import type { Service } from '../core/Service.js';
import { followResult } from './followResult.js';

const what = 'service.do(req)';

/**
 * Calls `service.do(req, signal)` for one result, always as a Promise: a synchronous throw rejects, an
 * Observable gives its last value (see {@link LastValue}), and anything but a Promise or an Observable
 * rejects with a `TypeError` naming what came back. When `signal` aborts first, an Observable's work is
 * unsubscribed at once and the promise rejects with the signal's reason (a Promise cannot be stopped:
 * the service has the signal).
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
  if (signal === undefined || !isObservable(result)) {
    return new Promise<Res>((resolve, reject) => {
      followResult(result, what, 'refused', undefined, { resolve, reject });
    });
  }
  return new Promise<Res>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const work = new Subscription();
    const onAbort = (): void => {
      work.unsubscribe();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.add(() => signal.removeEventListener('abort', onAbort));
    const settlement = {
      resolve: (value: Res): void => {
        work.unsubscribe();
        resolve(value);
      },
      reject: (error: unknown): void => {
        work.unsubscribe();
        reject(error);
      },
    };
    followResult(result, what, 'refused', work, settlement);
  });
}
