import { Observable, retry, type Subscriber, type Subscription, timer } from 'rxjs';
import {
  type HandshakeProvider,
  type ServiceAtCapacityDetails,
  ServiceAtCapacityError,
} from 'rxjs-backpressure';
import { AbortListeners } from '../internal/AbortListeners.js';
import { type BackoffPolicy, backoffDelay } from '../internal/backoffDelay.js';
import { describeValue } from '../internal/describeValue.js';
import { isAbortSignal } from '../internal/isAbortSignal.js';
import { numberOption } from '../internal/numberOption.js';
import { parseRetryAfter } from '../internal/parseRetryAfter.js';
import { optionsObject } from '../internal/resolveBufferOptions.js';
import { abortAfter } from './internal/abortAfter.js';
import { type CreditStreamEvent, creditStream } from './internal/creditStream.js';
import { httpProtocol } from './internal/httpProtocol.js';
import { parseCount } from './internal/parseCount.js';
import { RemoteServiceError } from './RemoteServiceError.js';

/**
 * Options of {@link RemoteService}. Every one is checked when the service is constructed.
 *
 * @example
 * ```ts
 * import type { RemoteServiceOptions } from 'rxjs-backpressure/http';
 *
 * const options: RemoteServiceOptions = { url: 'https://search.internal/api/', timeout: 2_000 };
 * ```
 */
export interface RemoteServiceOptions {
  /**
   * Where the `handshakeHandler` is served: an absolute `http:` or `https:` URL. The endpoints are
   * resolved below it (`http://host/orders` and `http://host/orders/` both mean `/orders/do`, ...).
   */
  readonly url: string;
  /** The `fetch` to use. Default: the global one. */
  readonly fetch?: typeof fetch;
  /**
   * Milliseconds a `do()` call may take before its request is aborted (it then rejects with a
   * `DOMException` named `'TimeoutError'`), and the credit stream may take to answer when it
   * connects: a positive finite number. Default: no limit.
   */
  readonly timeout?: number;
}

/** Reconnection backoff of the credit stream: 0-100 ms at first, up to 0-10 s. */
const reconnectBackoff: BackoffPolicy = { initialDelay: 100, maxDelay: 10_000, factor: 2, jitter: 'full' };

/**
 * Whether reconnecting the credit stream may help: not when the server answered that the stream is not
 * there (a 4xx other than 408 and 429) or does not speak the protocol, since it would answer the same
 * again. Network failures, 5xx answers, timeouts and streams that ended are worth another try.
 */
function isTransient(error: unknown): boolean {
  if (!(error instanceof RemoteServiceError)) return true;
  return error.status >= 500 || error.status === 408 || error.status === 429;
}

/**
 * Whether an answer says the server refused the call before it took a slot: at capacity (503) or a
 * bad request (4xx), as `handshakeHandler` answers them.
 */
function ranNoWork(status: number): boolean {
  return status === 503 || (status >= 400 && status < 500);
}

/** The `message` and `code` of a JSON error body, as far as it has them. */
function errorBody(text: string): { message?: string; code?: string } {
  try {
    const { message, code } = JSON.parse(text) as { message?: unknown; code?: unknown };
    return {
      ...(typeof message === 'string' ? { message } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * A {@link HandshakeProvider} for a service served by `handshakeHandler` in another process: the
 * handshake across the network. `do(req)` POSTs `req` as JSON to `/do`; `credits$` is the server's
 * `/credits` event stream; `isReady()` answers from what the client last learned of the server's
 * free room, without any I/O.
 *
 * **`do(req, signal?)`** resolves with the JSON result (`undefined` for 204). A 503 rejects with a
 * `ServiceAtCapacityError` whose `retryAfter` (ms) comes from `Retry-After`, in either of its forms
 * (seconds or an HTTP-date), with `capacity` and `active` when the server sent them, so
 * `retryWithBackoff()` waits as long as the server asked. Any other error status rejects with a
 * {@link RemoteServiceError} carrying it. Aborting `signal` or passing `timeout` aborts the request
 * (the server then aborts the work's signal too); network failures reject with `fetch`'s error.
 * `do()` always sends: the server, not the client's estimate, has the last word.
 *
 * **`credits$`** connects on its first subscription, is shared by every subscriber, and closes when the
 * last one unsubscribes. It reconnects with backoff (full jitter, 0-100 ms growing to 0-10 s) after
 * network failures, server errors and restarts, and errors only when the server answers that the
 * stream is not there (a 4xx) or does not speak the protocol. It never completes.
 *
 * **The room the client believes it may use**, which `isReady()` tests (`> 0`) and whose every rise
 * `credits$` emits (never room it already announced; a subscriber that joins later receives the room
 * at once, as with `TrackedService`):
 * - While the stream is connected it is exact for a single client: the first event of each connection
 *   re-learns the server's free room, less the calls still in flight (so a reconnect never counts room
 *   twice); each later event adds the slots freed; each `do()` takes one, which an answer that ran
 *   no work (a 503 or a 4xx) gives back. Grants go to every client, so with several clients a call
 *   may still meet a 503 when another took the slot first. One exception: the server may already
 *   count calls in flight at a first event, which are then subtracted twice, so the room may be short
 *   (never too large); once no call is in flight, the stream reconnects, and the first event of the
 *   new connection tells the exact room.
 * - While the stream makes its first connection (after `credits$` had no subscribers) it is 0:
 *   callers wait for the first event rather than sending blindly.
 * - Otherwise (nobody subscribed, or reconnecting) it is learned from the `X-Capacity` and `X-Active`
 *   headers of the answers to `do()`, less the calls sent since; and it is at least 1 while no call is
 *   in flight, because no answer would come to update it: one call goes out to find out. This is
 *   where a 503 can happen, so pair the calls with `retryWithBackoff()`.
 *
 * @example
 * ```ts
 * import { range } from 'rxjs';
 * import { withHandshake } from 'rxjs-backpressure';
 * import { RemoteService } from 'rxjs-backpressure/http';
 *
 * const thumbnails = new RemoteService<number, string>({ url: 'http://127.0.0.1:8080/', timeout: 5_000 });
 * range(0, 100)
 *   .pipe(withHandshake(thumbnails, { bufferSize: 100 }))
 *   .subscribe((thumbnail) => console.log(thumbnail));
 * ```
 */
export class RemoteService<Req, Res> implements HandshakeProvider<Req, Res> {
  /** The free room as it rises: see the class description. Connects lazily; never completes. */
  readonly credits$: Observable<number>;

  readonly #doUrl: URL;
  readonly #creditsUrl: URL;
  readonly #fetch: typeof fetch;
  readonly #timeout: number | undefined;
  readonly #aborts = new AbortListeners();

  /** The room as last learned, less the calls sent since; `undefined` before anything was learned. */
  #room: number | undefined;
  #inFlight = 0;
  /** A connection of the credit stream told the room and is still open. */
  #live = false;
  /** The stream is connecting for the first time since it was wanted. */
  #awaitingRoom = false;
  /**
   * The connection's first event came while calls were in flight, so the room may be short by those
   * the server had admitted already: they are counted busy in the event and subtracted again.
   */
  #roomMayBeShort = false;
  /** Replaced, never mutated, so a broadcast walks a stable list while subscribers come and go. */
  #subscribers: readonly Subscriber<number>[] = [];
  #connection: Subscription | undefined;

  constructor(options: RemoteServiceOptions) {
    const given = optionsObject(options, 'options');
    const base = RemoteService.#baseUrl(given.url);
    this.#doUrl = new URL(httpProtocol.doPath.slice(1), base);
    this.#creditsUrl = new URL(httpProtocol.creditsPath.slice(1), base);
    const fetchFn = given.fetch ?? globalThis.fetch;
    if (typeof fetchFn !== 'function') {
      throw new TypeError(
        `options.fetch must be a function${given.fetch === undefined ? ' (there is no global fetch here)' : ''}, got ${describeValue(fetchFn)}.`,
      );
    }
    // Called as a plain function (browsers refuse a fetch whose `this` is not the global object), and
    // inside a promise, so a fetch that throws at once still fails later, never in the middle of a
    // broadcast on credits$ that led to the call.
    this.#fetch = (input, init) => new Promise((resolve) => resolve(fetchFn(input, init)));
    this.#timeout =
      given.timeout === undefined
        ? undefined
        : numberOption(
            given.timeout,
            'options.timeout',
            'a positive finite number of milliseconds',
            (n) => n > 0 && Number.isFinite(n),
          );

    this.credits$ = new Observable<number>((subscriber) => {
      this.#subscribers = [...this.#subscribers, subscriber];
      if (this.#connection === undefined) {
        this.#connect();
      } else {
        const room = this.#usableRoom();
        if (room > 0) subscriber.next(room);
      }
      return () => {
        this.#subscribers = this.#subscribers.filter((other) => other !== subscriber);
        if (this.#subscribers.length === 0) this.#disconnect();
      };
    });
  }

  static #baseUrl(url: unknown): URL {
    if (typeof url !== 'string') {
      throw new TypeError(`options.url must be a string, got ${describeValue(url)}.`);
    }
    let base: URL;
    try {
      base = new URL(url);
    } catch {
      throw new TypeError(`options.url must be an absolute http: or https: URL, got ${describeValue(url)}.`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`options.url must be an absolute http: or https: URL, got ${describeValue(url)}.`);
    }
    if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
    return base;
  }

  /** Whether the client believes the server has room for one more call. O(1), no I/O. */
  isReady(): boolean {
    return this.#usableRoom() > 0;
  }

  /**
   * Sends `req` (as JSON; a value JSON cannot represent, like `undefined`, as an empty body) to the
   * server's `/do` and resolves with its result. See the class description for the errors.
   */
  do(req: Req, signal?: AbortSignal): Promise<Res> {
    if (signal !== undefined && !isAbortSignal(signal)) {
      throw new TypeError(`do(req, signal): signal must be an AbortSignal, got ${describeValue(signal)}.`);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    let body: string | undefined;
    try {
      body = JSON.stringify(req);
    } catch (error) {
      return Promise.reject(
        new TypeError(
          `do(req): req must be JSON-serialisable: ${error instanceof Error ? error.message : describeValue(error)}`,
          { cause: error },
        ),
      );
    }
    this.#inFlight++;
    if (this.#room !== undefined) this.#room--;
    return this.#post(body, signal);
  }

  async #post(body: string | undefined, signal: AbortSignal | undefined): Promise<Res> {
    const controller = new AbortController();
    const forward = (): void => controller.abort(signal?.reason);
    if (signal !== undefined) this.#aborts.add(signal, forward);
    const timeout = this.#timeout;
    const timer = abortAfter(controller, timeout, `POST ${this.#doUrl.href} took longer than ${timeout} ms.`);
    let answered = false;
    try {
      const response = await this.#fetch(this.#doUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
      });
      answered = true;
      this.#answered(response);
      return this.#result(response, await response.text());
    } catch (error) {
      throw controller.signal.aborted ? controller.signal.reason : error;
    } finally {
      clearTimeout(timer);
      if (signal !== undefined) this.#aborts.delete(signal, forward);
      if (!answered) this.#answered(undefined);
    }
  }

  #result(response: Response, text: string): Res {
    const { status } = response;
    if (response.ok) {
      if (status === 204 || text === '') return undefined as Res;
      try {
        return JSON.parse(text) as Res;
      } catch {
        throw new RemoteServiceError(
          status,
          `POST ${this.#doUrl.href} answered ${status} with a body that is not JSON.`,
        );
      }
    }
    if (status === 503) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      const details: ServiceAtCapacityDetails = {
        ...this.#loadOf(response.headers),
        ...(retryAfter === undefined ? {} : { retryAfter }),
      };
      throw new ServiceAtCapacityError(details);
    }
    const { message, code } = errorBody(text);
    throw new RemoteServiceError(
      status,
      `POST ${this.#doUrl.href} answered ${status}${message === undefined ? '' : `: ${message}`}`,
      code,
    );
  }

  #loadOf(headers: Headers): { capacity?: number; active?: number } {
    const capacity = parseCount(headers.get(httpProtocol.capacityHeader));
    const active = parseCount(headers.get(httpProtocol.activeHeader));
    return capacity === undefined || active === undefined ? {} : { capacity, active };
  }

  /** A call was answered (`response`) or failed without an answer. */
  #answered(response: Response | undefined): void {
    this.#change(() => {
      this.#inFlight--;
      if (response === undefined) return;
      const { capacity, active } = this.#loadOf(response.headers);
      if (!this.#live && capacity !== undefined && active !== undefined) {
        this.#room = capacity - active;
      } else if (ranNoWork(response.status) && this.#room !== undefined) {
        // A 503 or a 4xx ran no work, so no credit event (nor load header) gives back what do() took.
        this.#room++;
      }
    });
    // Checked after the broadcast: a subscriber may have sent a call or unsubscribed meanwhile.
    if (this.#roomMayBeShort && this.#live && this.#inFlight === 0) this.#relearnRoom();
  }

  /** The room `isReady()` tests: see the class description. */
  #usableRoom(): number {
    if (this.#awaitingRoom) return 0;
    if (this.#live) return Math.max(0, this.#room ?? 0);
    return Math.max(this.#inFlight === 0 ? 1 : 0, this.#room ?? 0);
  }

  /** Applies `update` and emits on `credits$` by how much it raised the usable room, if it did. */
  #change(update: () => void): void {
    const before = this.#usableRoom();
    update();
    const after = this.#usableRoom();
    if (after > before) {
      const rise = after - before;
      for (const subscriber of this.#subscribers) subscriber.next(rise);
    }
  }

  #connect(): void {
    this.#awaitingRoom = true;
    this.#connection = this.#open();
  }

  /**
   * Replaces the connection by a new one, whose first event is the exact room now that no call of this
   * client is in flight to be counted twice. The stream, not a `GET /ready`, re-learns it: the events
   * of one connection come in order, so the grants after the room are exactly those it does not count
   * yet, while an answer on another connection cannot tell which grants still on their way it counts.
   * Until the room comes, the old (short, so safe) room stands; if the connection fails, the stream
   * reconnects with backoff as after any failure.
   */
  #relearnRoom(): void {
    this.#roomMayBeShort = false;
    this.#connection?.unsubscribe();
    this.#connection = this.#open();
  }

  /** Opens the credit stream, reconnecting with backoff; it errors only when reconnecting is futile. */
  #open(): Subscription {
    return creditStream(this.#creditsUrl, this.#fetch, this.#timeout)
      .pipe(
        retry({
          resetOnSuccess: true,
          delay: (error: unknown, attempt: number) => {
            if (!isTransient(error)) throw error;
            this.#change(() => {
              this.#live = false;
              this.#awaitingRoom = false;
            });
            return timer(backoffDelay(reconnectBackoff, attempt, reconnectBackoff.initialDelay, Math.random));
          },
        }),
      )
      .subscribe({
        next: (event) => this.#heard(event),
        error: (error: unknown) => {
          const subscribers = this.#subscribers;
          this.#subscribers = [];
          this.#disconnect();
          for (const subscriber of subscribers) subscriber.error(error);
        },
      });
  }

  #disconnect(): void {
    this.#connection?.unsubscribe();
    this.#connection = undefined;
    this.#live = false;
    this.#awaitingRoom = false;
  }

  #heard(event: CreditStreamEvent): void {
    this.#change(() => {
      if (event.kind === 'room') {
        this.#live = true;
        this.#awaitingRoom = false;
        this.#room = event.amount - this.#inFlight;
        this.#roomMayBeShort = this.#inFlight > 0;
      } else {
        this.#room = (this.#room ?? 0) + event.amount;
      }
    });
  }
}
