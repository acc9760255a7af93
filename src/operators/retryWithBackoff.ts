import { defer, type MonoTypeOperatorFunction, type Observable, retry, timer } from 'rxjs';
import { booleanOption } from '../core/validation.js';
import { backoffDelay } from '../internal/backoffDelay.js';
import { retryWait } from '../internal/retryWait.js';
import { resolveRetryOptions } from './internal/resolveRetryOptions.js';
import type { RetryWithBackoffOptions } from './RetryWithBackoffOptions.js';

/**
 * Resubscribes to the source when it fails with an error worth retrying (by default a refusal: the
 * handshake's "at capacity" or an open circuit), waiting longer each time, until `maxAttempts` attempts have failed; then the
 * last error goes through.
 *
 * The wait after attempt `n` failed (`n = 1` for the first subscription), in milliseconds:
 * - exponential: `min(maxDelay, initialDelay * factor ** (n - 1))`;
 * - jitter `'none'`: that delay exactly; `'full'` (the default): uniform in `[0, delay)`;
 *   `'decorrelated'` (AWS's "decorrelated jitter"): `min(maxDelay, uniform in [initialDelay, 3 * previous))`,
 *   where `previous` is the wait before (`initialDelay` at first) and `factor` plays no part;
 * - when the error is a library error with a `retryAfter` (a `ServiceAtCapacityError` built from a
 *   `Retry-After` header, a `CircuitOpenError`), the wait is at least that long, but never longer than
 *   `maxDelay`: a server asking for 25 days gets `maxDelay`, then another try.
 *
 * Waits run on `scheduler`; unsubscribing during a wait cancels its timer. Each subscription to the
 * output has its own attempt count. With `resetOnSuccess` (the default) a value starts the count and
 * the backoff again, so a long-lived stream that fails now and then is not worn down over time.
 *
 * ```
 * source (every subscription):  --#                      # = ServiceAtCapacityError
 * retryWithBackoff({ maxAttempts: 3, initialDelay: 10, jitter: 'none' })
 * output:                       -- 10ms -- 20ms --#      waits 10 then 20 ms; the 3rd error goes through
 * ```
 *
 * @example
 * ```ts
 * import { defer } from 'rxjs';
 * import { handshake, retryWithBackoff, TrackedService } from 'rxjs-backpressure';
 *
 * const service = new TrackedService({ capacity: 2, handler: async (id: number) => `order ${id}` });
 * defer(() => handshake(service, 42))
 *   .pipe(retryWithBackoff({ maxAttempts: 4, initialDelay: 50, maxDelay: 1_000 }))
 *   .subscribe((result) => console.log(result)); // 'order 42', once the service has room
 * ```
 */
export function retryWithBackoff<T>(options?: RetryWithBackoffOptions): MonoTypeOperatorFunction<T> {
  const { maxAttempts, policy, retryIf, scheduler } = resolveRetryOptions(options, 'options', undefined, [
    'resetOnSuccess',
  ]);
  const resetOnSuccess = booleanOption(options?.resetOnSuccess ?? true, 'options.resetOnSuccess');

  return (source: Observable<T>) =>
    defer(() => {
      // Per subscription: the wait before, which decorrelated jitter grows from.
      let previous = policy.initialDelay;
      return source.pipe(
        retry({
          count: maxAttempts - 1,
          resetOnSuccess,
          delay: (error: unknown, attempt: number) => {
            if (!retryIf(error, attempt)) throw error;
            // Attempt 1 again means a value reset the count: the backoff starts over too.
            if (attempt === 1) previous = policy.initialDelay;
            previous = backoffDelay(policy, attempt, previous, Math.random);
            return timer(retryWait(previous, error, policy.maxDelay), scheduler);
          },
        }),
      );
    });
}
