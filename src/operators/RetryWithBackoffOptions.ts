import type { SchedulerLike } from 'rxjs';
import type { BackoffJitter } from '../internal/backoffDelay.js';

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
