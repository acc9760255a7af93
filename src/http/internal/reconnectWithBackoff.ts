import { type MonoTypeOperatorFunction, retry, type SchedulerLike, timer } from 'rxjs';
import { type BackoffPolicy, backoffDelay } from '../../internal/backoffDelay.js';
import { RemoteServiceError } from '../RemoteServiceError.js';

/** Reconnection backoff of the credit stream: 0-100 ms at first, up to 0-10 s. */
const reconnectBackoff: BackoffPolicy = { initialDelay: 100, maxDelay: 10_000, factor: 2, jitter: 'full' };

/**
 * Whether reconnecting the credit stream may help: not when the server answered that the stream is not
 * there (a 4xx other than 408 and 429) or does not speak the protocol, since it would answer the same
 * again. Network failures, 5xx answers, timeouts and streams that ended are worth another try.
 */
function isTransient(error: unknown): boolean {
  if (!(error instanceof RemoteServiceError)) return true;
  return error.status >= 500 || error.status === 408 || error.status === 429;
}

/**
 * Resubscribes the credit stream after a transient failure, with full-jitter backoff on `scheduler`
 * (reset once the stream delivers again), calling `waiting` as each wait begins; a failure that
 * reconnecting cannot mend goes through as the error.
 */
export function reconnectWithBackoff<T>(
  scheduler: SchedulerLike,
  waiting: () => void,
): MonoTypeOperatorFunction<T> {
  return retry({
    resetOnSuccess: true,
    delay: (error: unknown, attempt: number) => {
      if (!isTransient(error)) throw error;
      waiting();
      return timer(
        backoffDelay(reconnectBackoff, attempt, reconnectBackoff.initialDelay, Math.random),
        scheduler,
      );
    },
  });
}
