import type { HandshakeProvider } from '../core/HandshakeProvider.js';
import { describeValue, optionsObject } from '../core/validation.js';
import type { HttpFetch } from './HttpFetch.js';
import type { HttpServiceOptions } from './HttpServiceOptions.js';
import { HttpApi } from './internal/HttpApi.js';

/**
 * An HTTP API as a {@link HandshakeProvider}: made by {@link httpService}.
 *
 * @example
 * ```ts
 * import { type HttpService, httpService } from 'rxjs-backpressure';
 *
 * const api: HttpService<string, Response> = httpService('https://example.com/', { capacity: 4 });
 * console.log(api.isReady(), api.capacity, api.active); // true 4 0
 * ```
 */
export interface HttpService<Req, Res> extends HandshakeProvider<Req, Res> {
  /** Requests allowed in flight at once. */
  readonly capacity: number;
  /** Requests in flight now. */
  readonly active: number;
  /** Sends the request, or rejects at once with a `ServiceAtCapacityError` when there is no room. */
  do(req: Req, signal?: AbortSignal): Promise<Res>;
}

/**
 * Any HTTP API as a {@link HandshakeProvider}, from its base URL (each `req` is a path or URL resolved
 * against it, fetched with GET) or from a {@link HttpFetch} function that sends `req` itself. Uses the
 * global `fetch`; each request gets its call's own `AbortSignal`.
 *
 * - A status below 400 is a success: the result is `read(response)` (default: the `Response`).
 * - 429 and 503 are the API saying "not now": a `ServiceAtCapacityError` whose `retryAfter` comes from
 *   `Retry-After` (seconds or an HTTP-date), so `retryWithBackoff` and `withHandshake`'s `retry` wait
 *   for it (up to their `maxDelay`). Their bodies are not read.
 * - Any other status is an {@link HttpStatusError}: `retryable` for 5xx, not for 4xx. Network
 *   failures reject with `fetch`'s own error.
 * - `capacity` caps the requests in flight ({@link TrackedService} semantics: `isReady()`, a refusal
 *   at once, and freed room on `credits$`); `timeout` aborts a request that takes too long.
 * - Quotas: when answers announce the client's quota (IETF `RateLimit` and `RateLimit-Policy`, or
 *   `X-RateLimit-Limit`/`-Remaining`/`-Reset`), the remaining count is spent one per request and
 *   `isReady()` turns false at zero until the reset time, when `credits$` grants the room again. So a
 *   pipeline slows down before the API refuses it with a 429. The count is conservative: requests in
 *   flight when an answer tells it are taken off too. A quota with no reset time told does not
 *   block (nothing would tell when to resume); a 429 then blocks for its `Retry-After`.
 *
 * @example
 * ```ts
 * import { range, map } from 'rxjs';
 * import { httpService, withHandshake } from 'rxjs-backpressure';
 *
 * const api = httpService('https://example.com/', {
 *   capacity: 8,
 *   timeout: 5_000,
 *   read: (response) => response.text(),
 * });
 * range(0, 100)
 *   .pipe(
 *     map((id) => `items/${id}`),
 *     withHandshake(api, { retry: { maxAttempts: 5 } }), // 429 and 503 are retried after Retry-After
 *   )
 *   .subscribe((body) => console.log(body.length));
 * ```
 */
export function httpService<Res = Response>(
  url: string | URL,
  options?: HttpServiceOptions<Res>,
): HttpService<string, Res>;
export function httpService<Req, Res = Response>(
  send: HttpFetch<Req>,
  options?: HttpServiceOptions<Res>,
): HttpService<Req, Res>;
export function httpService<Req, Res>(
  target: string | URL | HttpFetch<Req>,
  options?: HttpServiceOptions<Res>,
): HttpService<Req, Res> | HttpService<string, Res> {
  const checked = optionsObject(options, 'options');
  if (typeof target === 'function') return new HttpApi(target, checked);
  if (typeof target !== 'string' && !(target instanceof URL)) {
    throw new TypeError(
      `httpService(target): target must be a URL, a string or a fetch-shaped function, got ${describeValue(target)}.`,
    );
  }
  let base: URL;
  try {
    base = new URL(target);
  } catch {
    throw new TypeError(`httpService(target): target must be an absolute URL, got ${describeValue(target)}.`);
  }
  return new HttpApi<string, Res>((path, signal) => {
    if (typeof path !== 'string') {
      return Promise.reject(
        new TypeError(`do(req): req must be a path or URL string, got ${describeValue(path)}.`),
      );
    }
    return fetch(new URL(path, base), { signal });
  }, checked);
}
