import { Observable, type SchedulerLike, Subject, type Subscription } from 'rxjs';
import { HttpStatusError } from '../errors/HttpStatusError.js';
import { ServiceAtCapacityError } from '../errors/ServiceAtCapacityError.js';
import { describeValue } from '../internal/describeValue.js';
import { parseRateLimit } from '../internal/parseRateLimit.js';
import { parseRetryAfter } from '../internal/parseRetryAfter.js';
import { RateLimitQuota } from '../internal/RateLimitQuota.js';
import { optionalFunction, optionsObject, refuseUnknownKeys } from '../internal/resolveBufferOptions.js';
import { longestTimer } from '../internal/retryWait.js';
import { schedulerOption } from '../internal/schedulerOption.js';
import type { FlowMonitor } from '../monitor/FlowMonitor.js';
import type { HandshakeProvider } from './HandshakeProvider.js';
import { TrackedService } from './TrackedService.js';

/**
 * A `fetch`-shaped function: sends the request for `req` with `signal` and resolves with the
 * `Response`, whatever its status.
 *
 * @example
 * ```ts
 * import type { HttpFetch } from 'rxjs-backpressure';
 *
 * const createOrder: HttpFetch<{ sku: string }> = (order, signal) =>
 *   fetch('https://example.com/orders', { method: 'POST', body: JSON.stringify(order), signal });
 * ```
 */
export type HttpFetch<Req> = (req: Req, signal: AbortSignal) => Promise<Response>;

/**
 * Options of {@link httpService}. Every one is checked when `httpService` is called.
 *
 * @example
 * ```ts
 * import type { HttpServiceOptions } from 'rxjs-backpressure';
 *
 * const options: HttpServiceOptions<unknown> = {
 *   capacity: 8,
 *   timeout: 10_000,
 *   read: (response) => response.json(),
 * };
 * ```
 */
export interface HttpServiceOptions<Res> {
  /**
   * Requests in flight at once, as for a {@link TrackedService}: a non-negative safe integer or
   * `Infinity` (the default).
   */
  readonly capacity?: number;
  /**
   * Milliseconds a request may take (positive, at most 2^31 - 1): then it is aborted and rejects with
   * a `CallTimeoutError`, and its slot is free. Default: no limit.
   */
  readonly timeout?: number;
  /** Turns a successful `Response` (status below 400) into the result. Default: the `Response` itself. */
  readonly read?: (response: Response) => Res | Promise<Res>;
  /**
   * The clock that dates `Retry-After` and quota resets, and the timer that wakes `credits$` at a
   * reset (and times `timeout`). Default `asyncScheduler`, whose clock is `Date.now()`.
   */
  readonly scheduler?: SchedulerLike;
  /** Reports the requests in flight, capacity, utilization and latency, as a `TrackedService` does. */
  readonly monitor?: FlowMonitor;
}

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

const optionKeys = ['capacity', 'timeout', 'read', 'scheduler', 'monitor'];

function isResponse(value: unknown): value is Response {
  const candidate = value as Partial<Response> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.status === 'number' &&
    typeof candidate.headers?.get === 'function'
  );
}

class HttpApi<Req, Res> implements HttpService<Req, Res> {
  readonly credits$: Observable<number>;

  readonly #tracked: TrackedService<Req, Res>;
  readonly #send: HttpFetch<Req>;
  readonly #read: (response: Response) => Res | Promise<Res>;
  readonly #scheduler: SchedulerLike;
  readonly #quota = new RateLimitQuota();
  /** Room granted when the quota resets. */
  readonly #resets = new Subject<number>();
  /** Subscribers of `credits$`: the reset timer runs only while there are some. */
  #listeners = 0;
  #resetTimer: Subscription | undefined;

  constructor(send: HttpFetch<Req>, options: HttpServiceOptions<Res> | Partial<HttpServiceOptions<Res>>) {
    refuseUnknownKeys(options, optionKeys, 'options');
    this.#send = send;
    this.#read = optionalFunction(options.read, 'options.read') ?? ((response) => response as Res);
    this.#scheduler = schedulerOption(options.scheduler, 'options.scheduler');
    this.#tracked = new TrackedService<Req, Res>({
      capacity: options.capacity ?? Number.POSITIVE_INFINITY,
      timeout: options.timeout,
      scheduler: this.#scheduler,
      monitor: options.monitor,
      handler: (req, signal) => this.#request(req, signal),
    });
    this.credits$ = new Observable<number>((subscriber) => {
      this.#listeners++;
      subscriber.add(() => {
        if (--this.#listeners > 0) return;
        this.#resetTimer?.unsubscribe();
        this.#resetTimer = undefined;
      });
      subscriber.add(this.#resets.subscribe((room) => subscriber.next(room)));
      // Room freed while the quota is spent is no use: the reset grants it.
      subscriber.add(
        this.#tracked.credits$.subscribe((room) => {
          if (this.#quotaWait() === 0) subscriber.next(room);
        }),
      );
      this.#armReset();
    });
  }

  get capacity(): number {
    return this.#tracked.capacity;
  }

  get active(): number {
    return this.#tracked.active;
  }

  isReady(): boolean {
    return this.#quotaWait() === 0 && this.#tracked.isReady();
  }

  do(req: Req, signal?: AbortSignal): Promise<Res> {
    const wait = this.#quotaWait();
    if (wait > 0) {
      return Promise.reject(
        new ServiceAtCapacityError(
          { retryAfter: wait },
          `The API's quota is spent until its reset in ${Math.ceil(wait)} ms.`,
        ),
      );
    }
    return this.#tracked.do(req, signal);
  }

  #quotaWait(): number {
    return this.#quota.waitAt(this.#scheduler.now());
  }

  async #request(req: Req, signal: AbortSignal): Promise<Res> {
    this.#quota.spend();
    this.#armReset();
    const response: unknown = await this.#send(req, signal);
    if (!isResponse(response)) {
      throw new TypeError(`The request must resolve with a Response, got ${describeValue(response)}.`);
    }
    const now = this.#scheduler.now();
    const reading = parseRateLimit(response.headers, now);
    if (reading !== undefined) this.#quota.learn(reading, now, this.#tracked.active - 1);
    const { status } = response;
    if (status < 400) {
      this.#armReset();
      return this.#read(response);
    }
    // The body of a refusal is not read: cancel it, so the connection is free for the next request.
    response.body?.cancel().catch(() => undefined);
    const url = response.url || String(req);
    if (status === 429 || status === 503) {
      const retryAfter =
        parseRetryAfter(response.headers.get('retry-after'), now) ??
        (status === 429 ? this.#quota.waitAt(now) || undefined : undefined);
      if (status === 429 && retryAfter !== undefined) this.#quota.exhausted(now, retryAfter);
      this.#armReset();
      throw new ServiceAtCapacityError(
        retryAfter === undefined ? {} : { retryAfter },
        `${url} answered ${status}${retryAfter === undefined ? '' : `; retry after ${retryAfter} ms`}.`,
      );
    }
    throw new HttpStatusError(status, url);
  }

  /** While the quota is spent and someone listens, a timer grants the room when it resets. */
  #armReset(): void {
    if (this.#listeners === 0 || this.#resetTimer !== undefined) return;
    const wait = this.#quotaWait();
    if (wait === 0) return;
    this.#resetTimer = this.#scheduler.schedule(
      () => {
        this.#resetTimer = undefined;
        if (this.#quotaWait() > 0) {
          // An answer moved the reset later while this timer waited.
          this.#armReset();
          return;
        }
        const room = this.#tracked.capacity - this.#tracked.active;
        if (room > 0) this.#resets.next(room);
      },
      Math.min(wait, longestTimer),
    );
  }
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
