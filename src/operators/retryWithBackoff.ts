import {
  defer,
  type MonoTypeOperatorFunction,
  type Observable,
  retry,
  type SchedulerLike,
  timer,
} from 'rxjs';
import { type BackoffJitter, backoffDelay } from '../internal/backoffDelay.js';
import { booleanOption } from '../internal/booleanOption.js';
import { optionsObject } from '../internal/resolveBufferOptions.js';
import { resolveRetryOptions } from '../internal/resolveRetryOptions.js';
import { retryWait } from '../internal/retryWait.js';

/**
 * Options of {@link retryWithBackoff}. Every one is checked when `retryWithBackoff` is called.
 *
 * @example
 * ```ts
 * import { isBackpressureError, type RetryWithBackoffOptions, retryWithBackoff } from 'rxjs-backpressure';
 *
 * const options: RetryWithBackoffOptions = {
 *   maxAttempts: 6,
 *   initialDelay: 200,
 *   jitter: 'decorrelated',
 *   // Timeouts are worth retrying here too (the work is idempotent), besides the default refusals.
 *   retryIf: (error) =>
 *     isBackpressureError(error) &&
 *     ['ERR_SERVICE_AT_CAPACITY', 'ERR_CIRCUIT_OPEN', 'ERR_CALL_TIMEOUT'].includes(error.code),
 * };
 * const patiently = retryWithBackoff<string>(options);
 * ```
 */
export interface RetryWithBackoffOptions {
  /**
   * Attempts in all, the first subscription included: a positive integer or `Infinity`. Default 5
   * (one try and four retries). With `resetOnSuccess`, the count starts again after each value.
   */
  readonly maxAttempts?: number;
  /** Milliseconds before the first retry, from 0 to 2^31 - 1 (the longest timer). Default 100. */
  readonly initialDelay?: number;
  /**
   * The longest wait in milliseconds, from `initialDelay` to 2^31 - 1 (the longest timer), a
   * `retryAfter` included. Default 10 000, or `initialDelay` when that is longer.
   */
  readonly maxDelay?: number;
  /** How much each backoff grows over the one before, finite and `>= 1`. Default 2. */
  readonly factor?: number;
  /** How the backoff is spread out so callers do not retry in step. Default `'full'`. */
  readonly jitter?: BackoffJitter;
  /**
   * Whether to retry `error`, thrown by attempt `attempt` (1 for the first subscription). Default: the
   * refusals of work that was never attempted, so always safe to retry: the handshake's
   * `ServiceAtCapacityError` and the circuit breaker's `CircuitOpenError` (recognised by their codes,
   * so another copy of this package counts too). Returning false sends `error` downstream; a throw
   * sends the thrown error.
   */
  readonly retryIf?: (error: unknown, attempt: number) => boolean;
  /** Whether a value resets the attempt count (and the backoff with it). Default true. */
  readonly resetOnSuccess?: boolean;
  /** The clock and timers for the waits. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

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
  const given = optionsObject(options, 'options');
  const { maxAttempts, policy, retryIf, scheduler } = resolveRetryOptions(given, 'options');
  const resetOnSuccess = booleanOption(given.resetOnSuccess ?? true, 'options.resetOnSuccess');

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
