/**
 * Aborts `controller` after `timeout` ms with a `TimeoutError` DOMException (the reason
 * `AbortSignal.timeout` gives), so a timeout reads differently from the caller giving up. Returns the
 * timer for `clearTimeout`, or undefined when there is no `timeout`.
 */
export function abortAfter(
  controller: AbortController,
  timeout: number | undefined,
  message: string,
): ReturnType<typeof setTimeout> | undefined {
  if (timeout === undefined) return undefined;
  return setTimeout(() => controller.abort(new DOMException(message, 'TimeoutError')), timeout);
}
