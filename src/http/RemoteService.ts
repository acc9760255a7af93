import { Observable, retry, type SchedulerLike, type Subscriber, type Subscription, timer } from 'rxjs';
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
import { optionsObject, refuseUnknownKeys } from '../internal/resolveBufferOptions.js';
import { schedulerOption } from '../internal/schedulerOption.js';
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
  /** Where the timers run (call timeouts, reconnection backoff). Default: `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

const optionKeys = ['url', 'fetch', 'timeout', 'scheduler'];

/**
 * The credit stream's phases, and what the client knows of its room in each:
 * - `unwatched`: `credits$` has no subscriber; `reconnecting`: the stream failed and waits to try
 *   again. The room is learned from the answers' `X-Capacity` and `X-Active`, at least 1 while no
 *   call is in flight (one call goes out to find out): 503s can happen.
 * - `connecting`: the first connection since `credits$` was subscribed, or one replacing a lease whose
 *   credit became uncertain: no room until the lease comes.
 * - `leased`: the server leased this client `credit` calls; exact, or short by the calls that ended
 *   without an answer (`uncertain`) until the client re-learns it.
 */
type StreamPhase =
  | { readonly kind: 'unwatched' }
  | { readonly kind: 'connecting' }
  | { readonly kind: 'reconnecting' }
  | Leased;
interface Leased {
  readonly kind: 'leased';
  readonly lease: string;
  credit: number;
  share: number;
  uncertain: boolean;
}

const unwatched: StreamPhase = { kind: 'unwatched' };
const connecting: StreamPhase = { kind: 'connecting' };
const reconnecting: StreamPhase = { kind: 'reconnecting' };

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
 * handshake across the network. `do(req)` POSTs `req` as JSON to `/do`; `credits$` is the credit this
 * client holds on the server's `/credits` lease stream; `isReady()` answers from it, without any I/O.
 *
 * **`do(req, signal?)`** resolves with the JSON result (`undefined` for 204). A 503 rejects with a
 * `ServiceAtCapacityError` whose `retryAfter` (ms) comes from `Retry-After-Ms`, else `Retry-After` (in
 * either of its forms, seconds or an HTTP-date), with `capacity` and `active` when the server sent
 * them, so `retryWithBackoff()` waits as long as the server asked. Any other error status rejects
 * with a {@link RemoteServiceError} carrying it. Aborting `signal` or passing `timeout` aborts the
 * request (the server then aborts the work's signal too); network failures reject with `fetch`'s
 * error. `do()` always sends: the server, not the client's estimate, has the last word.
 *
 * **`credits$`** connects on its first subscription, is shared by every subscriber, and closes when the
 * last one unsubscribes. It reconnects with backoff (full jitter, 0-100 ms growing to 0-10 s) after
 * network failures, server errors and restarts, and errors only when the server answers that the
 * stream is not there (a 4xx) or does not speak the protocol. It never completes.
 *
 * **The room the client may use**, which `isReady()` tests (`> 0`) and whose every rise `credits$`
 * emits (never room it already announced; a subscriber that joins later receives the room at once):
 * - While the stream is connected, the server leases this client its own credit, an equal share of
 *   the capacity among the connected clients: each `do()` spends one (naming the lease in
 *   `X-Lease`), `credit` events add the slots granted to this client, `revoke` events take unused
 *   credit back when another client joins. It is exact, so no call meets a 503, however many clients
 *   share the server. A call that ends without an answer (aborted, a network error) may or may not
 *   have reached the server, so the credit may then be short (never too large); once no call is in
 *   flight, the client takes a new lease to learn it exactly.
 * - While the stream makes its first connection (after `credits$` had no subscribers) it is 0:
 *   callers wait for the lease rather than sending blindly.
 * - Otherwise (nobody subscribed, or reconnecting) it is learned from the `X-Capacity` and `X-Active`
 *   headers of the answers to `do()`, less the calls sent since; and it is at least 1 while no call is
 *   in flight, because no answer would come to update it: one call goes out to find out. Leased
 *   clients hold their shares, so this is where a 503 can happen: pair the calls with
 *   `retryWithBackoff()`.
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
  /** The room as it rises: see the class description. Connects lazily; never completes. */
  readonly credits$: Observable<number>;

  readonly #doUrl: URL;
  readonly #creditsUrl: URL;
  readonly #fetch: typeof fetch;
  readonly #timeout: number | undefined;
  readonly #scheduler: SchedulerLike;
  readonly #aborts = new AbortListeners();

  #phase: StreamPhase = unwatched;
  /** Without a lease: the room as last learned from an answer, less the calls sent since. */
  #room: number | undefined;
  #inFlight = 0;
  /** Replaced, never mutated, so a broadcast walks a stable list while subscribers come and go. */
  #subscribers: readonly Subscriber<number>[] = [];
  #connection: Subscription | undefined;

  constructor(options: RemoteServiceOptions) {
    const given = optionsObject(options, 'options');
    refuseUnknownKeys(given, optionKeys, 'options');
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
    this.#scheduler = schedulerOption(given.scheduler, 'options.scheduler');

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

  /**
   * The share of the server's capacity leased to this client (capacity divided by the clients
   * connected, maybe fractional; `Infinity` for an unbounded one), or `undefined` without a lease.
   */
  get share(): number | undefined {
    return this.#phase.kind === 'leased' ? this.#phase.share : undefined;
  }

  /** Whether the client may send one more call: see the class description. O(1), no I/O. */
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
    const phase = this.#phase;
    if (phase.kind === 'leased') {
      if (phase.credit > 0) phase.credit--;
      return this.#post(body, signal, phase);
    }
    if (this.#room !== undefined) this.#room--;
    return this.#post(body, signal, undefined);
  }

  async #post(
    body: string | undefined,
    signal: AbortSignal | undefined,
    leased: Leased | undefined,
  ): Promise<Res> {
    const controller = new AbortController();
    const forward = (): void => controller.abort(signal?.reason);
    if (signal !== undefined) this.#aborts.add(signal, forward);
    const timeout = this.#timeout;
    const timer = abortAfter(
      controller,
      timeout,
      `POST ${this.#doUrl.href} took longer than ${timeout} ms.`,
      this.#scheduler,
    );
    let answered = false;
    try {
      const response = await this.#fetch(this.#doUrl, {
        method: 'POST',
        headers: {
          'content-type': httpProtocol.jsonType,
          accept: httpProtocol.jsonType,
          ...(leased === undefined ? {} : { [httpProtocol.leaseHeader]: leased.lease }),
        },
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
      });
      answered = true;
      this.#answered(response, leased);
      return this.#result(response, await response.text());
    } catch (error) {
      throw controller.signal.aborted ? controller.signal.reason : error;
    } finally {
      timer?.unsubscribe();
      if (signal !== undefined) this.#aborts.delete(signal, forward);
      if (!answered) this.#answered(undefined, leased);
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
      const retryAfter =
        parseCount(response.headers.get(httpProtocol.retryAfterMsHeader)) ??
        parseRetryAfter(response.headers.get('retry-after'), Date.now());
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

  /**
   * A call was answered (`response`) or failed without an answer. `leased`: the lease it spent credit
   * of. A leased call's credit changes only by the lease's events: the server gives a slot back, when
   * it frees, to whoever is below its share.
   */
  #answered(response: Response | undefined, leased: Leased | undefined): void {
    this.#change(() => {
      this.#inFlight--;
      if (response === undefined) {
        // Aborted or failed on the way: the server may have admitted the call (its freed slot will be
        // granted back) or never seen it (its credit stays unspent there). The credit may be short.
        if (leased !== undefined) leased.uncertain = true;
        return;
      }
      const { capacity, active } = this.#loadOf(response.headers);
      if (capacity !== undefined && active !== undefined) {
        this.#room = capacity - active;
      } else if (leased === undefined && ranNoWork(response.status) && this.#room !== undefined) {
        // A 503 or a 4xx ran no work, so no load header gives back what do() took.
        this.#room++;
      }
    });
    // Checked after the broadcast: a subscriber may have sent a call or unsubscribed meanwhile.
    const phase = this.#phase;
    if (phase.kind === 'leased' && phase.uncertain && this.#inFlight === 0) this.#relearn();
  }

  /** The room `isReady()` tests: see the class description. */
  #usableRoom(): number {
    const phase = this.#phase;
    switch (phase.kind) {
      case 'connecting':
        return 0;
      case 'leased':
        return phase.credit;
      default:
        return Math.max(this.#inFlight === 0 ? 1 : 0, this.#room ?? 0);
    }
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
    this.#phase = connecting;
    this.#connection = this.#open();
  }

  /**
   * Replaces the lease by a new one, whose credit is exact now that no call of this client is in
   * flight. The old lease's credit returns to the server as its stream closes.
   */
  #relearn(): void {
    this.#connection?.unsubscribe();
    this.#connect();
  }

  /** Opens the credit stream, reconnecting with backoff; it errors only when reconnecting is futile. */
  #open(): Subscription {
    return creditStream(this.#creditsUrl, this.#fetch, this.#timeout, this.#scheduler)
      .pipe(
        retry({
          resetOnSuccess: true,
          delay: (error: unknown, attempt: number) => {
            if (!isTransient(error)) throw error;
            this.#change(() => {
              this.#phase = reconnecting;
            });
            return timer(
              backoffDelay(reconnectBackoff, attempt, reconnectBackoff.initialDelay, Math.random),
              this.#scheduler,
            );
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
    this.#phase = unwatched;
  }

  #heard(event: CreditStreamEvent): void {
    this.#change(() => {
      const phase = this.#phase;
      if (event.kind === 'lease') {
        this.#phase = { kind: 'leased', lease: event.lease, credit: 0, share: 0, uncertain: false };
      } else if (phase.kind === 'leased') {
        if (event.kind === 'share') phase.share = event.share;
        else if (event.kind === 'credit') phase.credit += event.amount;
        else phase.credit = Math.max(0, phase.credit - event.amount);
      }
    });
  }
}
