import {
  defer,
  type MonoTypeOperatorFunction,
  type Observable,
  retry,
  type SchedulerLike,
  timer,
} from 'rxjs';
import { isBackpressureError } from '../errors/BackpressureError.js';
import { type BackoffJitter, backoffDelay } from '../internal/backoffDelay.js';
import { booleanOption } from '../internal/booleanOption.js';
import { describeValue } from '../internal/describeValue.js';
import { isServiceAtCapacity } from '../internal/isServiceAtCapacity.js';
import { numberOption } from '../internal/numberOption.js';
import { optionalFunction, optionsObject } from '../internal/resolveBufferOptions.js';
import { schedulerOption } from '../internal/schedulerOption.js';

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
 *   // An open circuit is worth retrying too: its retryAfter says how long to wait.
 *   retryIf: (error) =>
 *     isBackpressureError(error) && ['ERR_SERVICE_AT_CAPACITY', 'ERR_CIRCUIT_OPEN'].includes(error.code),
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
  /** Milliseconds before the first retry, finite and `>= 0`. Default 100. */
  readonly initialDelay?: number;
  /**
   * The longest backoff in milliseconds, finite and `>= initialDelay`. Default 10 000, or
   * `initialDelay` when that is longer.
   */
  readonly maxDelay?: number;
  /** How much each backoff grows over the one before, finite and `>= 1`. Default 2. */
  readonly factor?: number;
  /** How the backoff is spread out so callers do not retry in step. Default `'full'`. */
  readonly jitter?: BackoffJitter;
  /**
   * Whether to retry `error`, thrown by attempt `attempt` (1 for the first subscription). Default: only
   * the handshake's `ServiceAtCapacityError`, recognised by its code so another copy of this package
   * counts too. Returning false sends `error` downstream; a throw sends the thrown error.
   */
  readonly retryIf?: (error: unknown, attempt: number) => boolean;
  /** Whether a value resets the attempt count (and the backoff with it). Default true. */
  readonly resetOnSuccess?: boolean;
  /** The clock and timers for the waits. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

const jitters: readonly BackoffJitter[] = ['none', 'full', 'decorrelated'];

/** The `retryAfter` a library error carries (`ServiceAtCapacityError`, `CircuitOpenError`), else 0. */
function retryAfterOf(error: unknown): number {
  if (!isBackpressureError(error)) return 0;
  const { retryAfter } = error as { retryAfter?: unknown };
  // A Retry-After that is not a finite wait is ignored: an infinite one would hang the stream.
  return typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 0;
}

/**
 * Resubscribes to the source when it fails with an error worth retrying (by default the handshake's
 * "at capacity" refusal), waiting longer each time, until `maxAttempts` attempts have failed; then the
 * last error goes through.
 *
 * The wait after attempt `n` failed (`n = 1` for the first subscription), in milliseconds:
 * - exponential: `min(maxDelay, initialDelay * factor ** (n - 1))`;
 * - jitter `'none'`: that delay exactly; `'full'` (the default): uniform in `[0, delay)`;
 *   `'decorrelated'` (AWS's "decorrelated jitter"): `min(maxDelay, uniform in [initialDelay, 3 * previous))`,
 *   where `previous` is the wait before (`initialDelay` at first) and `factor` plays no part;
 * - when the error is a library error with a `retryAfter` (a `ServiceAtCapacityError` built from a
 *   `Retry-After` header, a `CircuitOpenError`), the wait is at least that long, even beyond `maxDelay`.
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
  const maxAttempts = numberOption(
    given.maxAttempts ?? 5,
    'options.maxAttempts',
    'a positive integer or Infinity',
    (n) => n === Number.POSITIVE_INFINITY || (Number.isSafeInteger(n) && n >= 1),
  );
  const nonNegative = 'a finite number of milliseconds >= 0';
  const initialDelay = numberOption(
    given.initialDelay ?? 100,
    'options.initialDelay',
    nonNegative,
    (n) => Number.isFinite(n) && n >= 0,
  );
  const maxDelay = numberOption(
    // The default never contradicts an initialDelay given alone.
    given.maxDelay ?? Math.max(10_000, initialDelay),
    'options.maxDelay',
    `a finite number of milliseconds >= options.initialDelay (${initialDelay})`,
    (n) => Number.isFinite(n) && n >= initialDelay,
  );
  const factor = numberOption(
    given.factor ?? 2,
    'options.factor',
    'a finite number >= 1',
    (n) => Number.isFinite(n) && n >= 1,
  );
  const jitter = given.jitter ?? 'full';
  if (!jitters.includes(jitter)) {
    const kind = typeof jitter === 'string' ? RangeError : TypeError;
    throw new kind(`options.jitter must be one of ${jitters.join(', ')}; got ${describeValue(jitter)}.`);
  }
  const retryIf = optionalFunction(given.retryIf, 'options.retryIf') ?? isServiceAtCapacity;
  const resetOnSuccess = booleanOption(given.resetOnSuccess ?? true, 'options.resetOnSuccess');
  const scheduler = schedulerOption(given.scheduler, 'options.scheduler');
  const policy = { initialDelay, maxDelay, factor, jitter };

  return (source: Observable<T>) =>
    defer(() => {
      // Per subscription: the wait before, which decorrelated jitter grows from.
      let previous = initialDelay;
      return source.pipe(
        retry({
          count: maxAttempts - 1,
          resetOnSuccess,
          delay: (error: unknown, attempt: number) => {
            if (!retryIf(error, attempt)) throw error;
            // Attempt 1 again means a value reset the count: the backoff starts over too.
            if (attempt === 1) previous = initialDelay;
            previous = backoffDelay(policy, attempt, previous, Math.random);
            return timer(Math.max(previous, retryAfterOf(error)), scheduler);
          },
        }),
      );
    });
}
