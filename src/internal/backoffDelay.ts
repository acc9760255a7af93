/**
 * How `retryWithBackoff` spreads out the wait before a retry: `'none'` waits the exponential delay
 * itself, `'full'` a uniform share of it, `'decorrelated'` a uniform wait from `initialDelay` up to three
 * times the previous wait (see {@link backoffDelay}).
 *
 * @example
 * ```ts
 * import { type BackoffJitter, retryWithBackoff } from 'rxjs-backpressure';
 *
 * const jitter: BackoffJitter = 'decorrelated'; // many clients retrying do not retry in step
 * const retry = retryWithBackoff({ maxAttempts: 5, initialDelay: 100, jitter });
 * ```
 */
export type BackoffJitter = 'none' | 'full' | 'decorrelated';

/** The checked backoff options of `retryWithBackoff`, in milliseconds. */
export interface BackoffPolicy {
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly factor: number;
  readonly jitter: BackoffJitter;
}

/**
 * The wait before retrying after attempt `attempt` (1 for the first subscription) failed. Pure, with
 * the randomness passed in (`random()` in `[0, 1)`), so tests can pin it; `previous` is the wait this
 * function returned for the attempt before (ignored unless the jitter is `'decorrelated'`).
 *
 * - exponential: `min(maxDelay, initialDelay * factor ** (attempt - 1))`
 * - `'none'`: the exponential delay itself
 * - `'full'`: uniform in `[0, exponential)`
 * - `'decorrelated'`: `min(maxDelay, uniform in [initialDelay, 3 * previous))`, AWS's formula, with
 *   `previous = initialDelay` for the first retry; `factor` plays no part in it.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  previous: number,
  random: () => number,
): number {
  const { initialDelay, maxDelay, factor, jitter } = policy;
  if (jitter === 'decorrelated') {
    return Math.min(maxDelay, initialDelay + random() * (3 * previous - initialDelay));
  }
  // 0 * Infinity is NaN: a zero initial delay stays zero however far the power overflows.
  const exponential = initialDelay === 0 ? 0 : Math.min(maxDelay, initialDelay * factor ** (attempt - 1));
  return jitter === 'full' ? random() * exponential : exponential;
}
