import { isBackpressureError } from '../errors/BackpressureError.js';

/**
 * The longest wait a timer can take: Node and browsers fire a timer of more than 2^31 - 1 ms at once
 * (Node says so with a TimeoutOverflowWarning), which would turn a long wait into a tight loop.
 */
export const longestTimer = 2_147_483_647;

/** The `retryAfter` a library error carries (`ServiceAtCapacityError`, `CircuitOpenError`), else 0. */
export function retryAfterOf(error: unknown): number {
  if (!isBackpressureError(error)) return 0;
  const { retryAfter } = error as { retryAfter?: unknown };
  // A Retry-After that is not a finite wait is ignored: an infinite one would hang the stream.
  return typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 0;
}

/**
 * The wait before retrying after `error`: the `backoff`, or the error's `retryAfter` when that is
 * longer, but never past `maxDelay` (itself at most {@link longestTimer}): a server asking for 25 days
 * gets `maxDelay`, not a timer that overflows.
 */
export function retryWait(backoff: number, error: unknown, maxDelay: number): number {
  return Math.min(Math.max(backoff, retryAfterOf(error)), maxDelay, longestTimer);
}
