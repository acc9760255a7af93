import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * Aborts `controller` after `timeout` ms on `scheduler` with a `TimeoutError` DOMException (the reason
 * `AbortSignal.timeout` gives), so a timeout reads differently from the caller giving up. Returns the
 * timer to unsubscribe, or undefined when there is no `timeout`.
 */
export function abortAfter(
  controller: AbortController,
  timeout: number | undefined,
  message: string,
  scheduler: SchedulerLike,
): Subscription | undefined {
  if (timeout === undefined) return undefined;
  return scheduler.schedule(() => controller.abort(new DOMException(message, 'TimeoutError')), timeout);
}
