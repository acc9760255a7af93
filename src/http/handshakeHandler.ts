import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObservable, type Observable, Subscription } from 'rxjs';
import { type HandshakeProvider, isBackpressureError, ServiceAtCapacityError } from 'rxjs-backpressure';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { describeValue } from '../internal/describeValue.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { isServiceAtCapacity } from '../internal/isServiceAtCapacity.js';
import { numberOption } from '../internal/numberOption.js';
import { reportUnhandledError } from '../internal/reportUnhandledError.js';
import { optionalFunction, optionsObject } from '../internal/resolveBufferOptions.js';
import { subscribeForLastValue } from '../internal/subscribeForLastValue.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';
import { httpProtocol } from './internal/httpProtocol.js';
import { onClientGone } from './internal/onClientGone.js';
import { readBody } from './internal/readBody.js';

/**
 * Options of {@link handshakeHandler}. Every one is checked when `handshakeHandler` is called.
 *
 * @example
 * ```ts
 * import type { HandshakeHandlerOptions } from 'rxjs-backpressure/http';
 *
 * const options: HandshakeHandlerOptions<number, string> = {
 *   decode: (body) => {
 *     if (typeof body !== 'number') throw new Error('expected a number');
 *     return body;
 *   },
 *   retryAfter: 2,
 *   maxBodyBytes: 1_024,
 * };
 * ```
 */
export interface HandshakeHandlerOptions<Req, Res> {
  /**
   * Turns the parsed JSON body of `POST /do` into the request (an empty body parses as `undefined`).
   * Throw to refuse it: the client gets 400 with the thrown message. Default: the body as it is.
   */
  readonly decode?: (body: unknown) => Req;
  /** Turns a result into the JSON value to answer with (`undefined`: 204 No Content). Default: as is. */
  readonly encode?: (result: Res) => unknown;
  /**
   * Seconds to advise in `Retry-After` when at capacity: a non-negative integer. Default: derived from
   * the calls this handler saw, as the mean time between two freed slots while the provider is
   * saturated: the average duration of recent calls (a moving average giving the newest call a
   * weight of 0.2) divided by the provider's `capacity` (1 when it exposes none), rounded up to
   * whole seconds and at least 1. A `ServiceAtCapacityError` from `do()` that carries its own
   * `retryAfter` is advised instead of the derived value.
   */
  readonly retryAfter?: number;
  /** The largest `POST /do` body in bytes: a non-negative integer. Default 1 MiB (1 048 576). */
  readonly maxBodyBytes?: number;
}

/** The load a provider exposes, when it has numeric `capacity` and `active` (a TrackedService does). */
interface Load {
  readonly capacity: number;
  readonly active: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const defaultMaxBodyBytes = 1_048_576;
/** Often enough for proxies that cut idle connections after a minute, rare enough to cost nothing. */
const heartbeatInterval = 15_000;
/** How much the newest call moves the average duration behind the derived Retry-After. */
const durationWeight = 0.2;

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  return typeof error === 'string' ? error : `The service failed with ${describeValue(error)}.`;
}

function isCount(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    value >= 0 &&
    (Number.isSafeInteger(value) || value === Number.POSITIVE_INFINITY)
  );
}

/**
 * Serves a {@link HandshakeProvider} over HTTP with Node's `http` module, so a {@link RemoteService}
 * in another process (or a browser, or any HTTP client) can take part in the handshake:
 *
 * - `GET /ready`: `200 {"ready":true,"capacity":8,"active":3}` or `503` with `Retry-After` and
 *   `"ready":false` (`capacity` and `active` only when the provider exposes them).
 * - `POST /do` with a JSON body: when the provider is not ready, `503` with `Retry-After` at once,
 *   without running the work. Admission is atomic: `isReady()` and `do()` run in the same tick, and
 *   a `ServiceAtCapacityError` from `do()` is a 503 too. Otherwise `200` with the JSON result (`204`
 *   when it encodes to `undefined`) or `500` with the error.
 * - `GET /credits`: a `text/event-stream` whose first event (`room`) is the free room when the client
 *   connected, as the provider's `credits$` reports it on subscription, followed by one `credit` event
 *   per grant (a freed slot). Each connection subscribes to `credits$` and unsubscribes when it
 *   closes. A comment line every 15 s keeps proxies from cutting the idle stream and lets the server
 *   notice clients that vanished.
 *
 * Answers of `/ready` and `/do` carry `X-Capacity` and `X-Active` when the provider exposes them, and
 * every error is a JSON body `{"message": ..., "code"?: ...}`. Bad requests never take a slot: a body
 * over `maxBodyBytes` gets 413 (and is not read further), invalid JSON or a refused `decode` 400, an
 * unknown path 404, a wrong method 405 with `Allow`. A client that disconnects before its answer
 * aborts the `AbortSignal` given to `do()`, so the provider frees its slot as it settles. Handler
 * errors (including a 500's message) go to the client, so serve it to callers you trust.
 *
 * Paths are matched on `req.url` as it arrives: mount the handler at the root of a server, or where
 * the framework strips the prefix. Open credit streams keep `server.close()` waiting: call
 * `server.closeAllConnections()` when shutting down.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { TrackedService } from 'rxjs-backpressure';
 * import { handshakeHandler } from 'rxjs-backpressure/http';
 *
 * const resize = new TrackedService({
 *   capacity: 8,
 *   handler: async (image: { url: string }) => ({ resized: image.url }),
 * });
 * createServer(handshakeHandler(resize, { retryAfter: 2 })).listen(8080);
 * ```
 */
export function handshakeHandler<Req, Res>(
  provider: HandshakeProvider<Req, Res>,
  options?: HandshakeHandlerOptions<Req, Res>,
): Handler {
  const candidate = provider as Partial<HandshakeProvider<Req, Res>> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.isReady !== 'function' ||
    typeof candidate.do !== 'function'
  ) {
    throw new TypeError(
      `handshakeHandler(provider) must be a HandshakeProvider with isReady(), do(req) and credits$, got ${describeValue(provider)}.`,
    );
  }
  const credits = toCreditSignal(provider, 'handshakeHandler(provider)');
  const given = optionsObject(options, 'options');
  const endpoints = new HandshakeEndpoints(provider, credits, {
    decode: optionalFunction(given.decode, 'options.decode') ?? ((body: unknown) => body as Req),
    encode: optionalFunction(given.encode, 'options.encode') ?? ((result: Res) => result),
    retryAfter:
      given.retryAfter === undefined
        ? undefined
        : numberOption(
            given.retryAfter,
            'options.retryAfter',
            'a non-negative integer number of seconds',
            (n) => Number.isSafeInteger(n) && n >= 0,
          ),
    maxBodyBytes: numberOption(
      given.maxBodyBytes ?? defaultMaxBodyBytes,
      'options.maxBodyBytes',
      'a non-negative integer number of bytes',
      (n) => Number.isSafeInteger(n) && n >= 0,
    ),
  });
  return (req, res) => {
    try {
      endpoints.route(req, res);
    } catch (error) {
      endpoints.fail(res, 500, error);
    }
  };
}

interface ResolvedOptions<Req, Res> {
  readonly decode: (body: unknown) => Req;
  readonly encode: (result: Res) => unknown;
  readonly retryAfter: number | undefined;
  readonly maxBodyBytes: number;
}

/** The three endpoints of one handler, sharing the provider and the duration of its calls. */
class HandshakeEndpoints<Req, Res> {
  readonly #provider: HandshakeProvider<Req, Res>;
  readonly #credits: Observable<number>;
  readonly #options: ResolvedOptions<Req, Res>;
  /** Moving average of call durations in ms, behind the derived Retry-After; unknown before a call. */
  #averageDuration: number | undefined;

  constructor(
    provider: HandshakeProvider<Req, Res>,
    credits: Observable<number>,
    options: ResolvedOptions<Req, Res>,
  ) {
    this.#provider = provider;
    this.#credits = credits;
    this.#options = options;
  }

  route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0];
    const method = req.method ?? 'GET';
    switch (path) {
      case httpProtocol.readyPath:
        if (method === 'GET') this.#ready(res);
        else this.#wrongMethod(res, 'GET', method, path);
        return;
      case httpProtocol.doPath:
        if (method === 'POST') this.#do(req, res).catch((error: unknown) => this.fail(res, 500, error));
        else this.#wrongMethod(res, 'POST', method, path);
        return;
      case httpProtocol.creditsPath:
        if (method === 'GET') this.#stream(req, res);
        else this.#wrongMethod(res, 'GET', method, path);
        return;
      default:
        this.#answer(res, 404, {
          message: `No such endpoint: ${describeValue(path)}; there are ${httpProtocol.readyPath}, ${httpProtocol.doPath} and ${httpProtocol.creditsPath}.`,
        });
    }
  }

  /** Answers with an error, unless an answer is already on its way or the client is gone. */
  fail(res: ServerResponse, status: number, error: unknown): void {
    const code = isBackpressureError(error) ? { code: error.code } : {};
    this.#answer(res, status, { message: messageOf(error), ...code });
  }

  #ready(res: ServerResponse): void {
    if (this.#provider.isReady()) {
      this.#answer(res, 200, { ready: true, ...this.#load() }, this.#loadHeaders());
    } else {
      this.#refuse(res, undefined, { ready: false });
    }
  }

  async #do(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, this.#options.maxBodyBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') {
      // The unread rest of the body would otherwise be taken for the next request on this connection.
      this.#answer(
        res,
        413,
        { message: `The body is larger than the limit of ${this.#options.maxBodyBytes} bytes.` },
        { connection: 'close' },
      );
      return;
    }
    let parsed: unknown;
    try {
      parsed = body.text === '' ? undefined : JSON.parse(body.text);
    } catch (error) {
      this.#answer(res, 400, { message: `The body is not valid JSON: ${messageOf(error)}` });
      return;
    }
    let request: Req;
    try {
      request = this.#options.decode(parsed);
    } catch (error) {
      this.#answer(res, 400, { message: `options.decode refused the body: ${messageOf(error)}` });
      return;
    }
    if (res.destroyed) return;

    // Admission: the readiness check and the call happen in this one tick, so no other request can
    // take the slot in between.
    if (!this.#provider.isReady()) {
      this.#refuse(res, undefined);
      return;
    }
    const gone = new AbortController();
    const work = new Subscription();
    const stopWaiting = onClientGone(req, res, () => {
      work.unsubscribe();
      gone.abort(new Error('The client disconnected before the answer.'));
    });
    const started = performance.now();
    let outcome: Promise<Res>;
    try {
      outcome = this.#outcome(this.#provider.do(request, gone.signal), work);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.finally(stopWaiting).then(
      (result) => {
        this.#measure(started);
        this.#succeed(res, result);
      },
      (error: unknown) => {
        if (isServiceAtCapacity(error)) {
          // A refusal ran no work: its few microseconds would drag the average call duration down.
          this.#refuse(res, error);
          return;
        }
        this.#measure(started);
        this.fail(res, 500, error);
      },
    );
  }

  #outcome(result: Promise<Res> | Observable<Res>, work: Subscription): Promise<Res> {
    if (isObservable(result)) {
      return new Promise<Res>((resolve, reject) =>
        subscribeForLastValue(result, work, 'The Observable returned by provider.do(req)', {
          resolve,
          reject,
        }),
      );
    }
    if (isPromiseLike(result)) return Promise.resolve(result);
    return Promise.reject(
      new TypeError(`provider.do(req) must return a Promise or an Observable, got ${describeValue(result)}.`),
    );
  }

  #succeed(res: ServerResponse, result: Res): void {
    let json: string | undefined;
    try {
      json = JSON.stringify(this.#options.encode(result));
    } catch (error) {
      this.fail(res, 500, error);
      return;
    }
    if (json === undefined) this.#send(res, 204, undefined, this.#loadHeaders());
    else this.#send(res, 200, json, this.#loadHeaders());
  }

  /**
   * 503 + Retry-After. `error` is the provider's own refusal when it came from `do()`; `extra` adds to
   * the body (`/ready` says `ready: false`).
   */
  #refuse(res: ServerResponse, error: unknown, extra: object = {}): void {
    const retryAfter = this.#retryAfter(error);
    const load = this.#load();
    const refusal = new ServiceAtCapacityError({ ...load, retryAfter: retryAfter * 1000 });
    this.#answer(
      res,
      503,
      { ...extra, message: refusal.message, code: refusal.code, retryAfter, ...load },
      { ...this.#loadHeaders(), 'retry-after': String(retryAfter) },
    );
  }

  #stream(req: IncomingMessage, res: ServerResponse): void {
    // Behind async middleware the client may be gone already: its 'close' would never come to end this.
    if (res.destroyed) return;
    res.writeHead(200, {
      'content-type': `${httpProtocol.eventStreamType}; charset=utf-8`,
      'cache-control': 'no-store',
      // Tells nginx-like proxies not to hold events back in a buffer.
      'x-accel-buffering': 'no',
    });
    const subscription = new Subscription();
    const heartbeat = setInterval(() => {
      if (!res.writableNeedDrain) res.write(': heartbeat\n\n');
    }, heartbeatInterval);
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      subscription.unsubscribe();
      clearInterval(heartbeat);
      res.end();
    };
    onClientGone(req, res, close);

    // While the socket's buffer is full, grants add up here and go out as one event on 'drain', so a
    // slow client costs a number, not a growing queue of events.
    let owed = 0;
    const write = (event: string, amount: number): void => {
      if (res.writableNeedDrain) {
        owed += amount;
        return;
      }
      res.write(`event: ${event}\ndata: ${String(amount)}\n\n`);
    };
    res.on('drain', () => {
      if (owed === 0) return;
      const amount = owed;
      owed = 0;
      write(httpProtocol.creditEvent, amount);
    });

    // What credits$ grants during subscription is the room now (a HandshakeProvider's contract): it
    // makes up the first event; later grants are events of their own.
    let room = 0;
    let connected = false;
    subscribeSafely(this.#credits, subscription, {
      next: (grant) => {
        if (!isCount(grant)) {
          close();
          reportUnhandledError(
            new TypeError(
              `handshakeHandler(provider): credits$ must grant non-negative integers or Infinity, got ${describeValue(grant)}.`,
            ),
          );
        } else if (connected) {
          write(httpProtocol.creditEvent, grant);
        } else {
          room += grant;
        }
      },
      error: (error) => {
        close();
        reportUnhandledError(error);
      },
      // A provider whose credits$ ends has no more room to announce; the client reconnects to ask again.
      complete: close,
    });
    if (closed) return;
    connected = true;
    write(httpProtocol.roomEvent, room);
  }

  #wrongMethod(res: ServerResponse, allowed: string, method: string, path: string): void {
    this.#answer(
      res,
      405,
      { message: `${path} takes ${allowed}, not ${describeValue(method)}.` },
      { allow: allowed },
    );
  }

  #load(): Partial<Load> {
    const { capacity, active } = this.#provider as { capacity?: unknown; active?: unknown };
    return isCount(capacity) && isCount(active) ? { capacity, active } : {};
  }

  #loadHeaders(): Record<string, string> {
    const { capacity, active } = this.#load();
    return capacity === undefined || active === undefined
      ? {}
      : { [httpProtocol.capacityHeader]: String(capacity), [httpProtocol.activeHeader]: String(active) };
  }

  /** Whole seconds to advise: the option, else the provider's own advice, else derived (see options). */
  #retryAfter(error: unknown): number {
    if (this.#options.retryAfter !== undefined) return this.#options.retryAfter;
    const advised = (error as { retryAfter?: unknown } | undefined)?.retryAfter;
    if (typeof advised === 'number' && Number.isFinite(advised) && advised >= 0) {
      return Math.ceil(advised / 1000);
    }
    const capacity = this.#load().capacity ?? 1;
    const between = (this.#averageDuration ?? 0) / Math.max(1, capacity);
    return Math.max(1, Math.ceil(between / 1000));
  }

  #measure(started: number): void {
    const duration = performance.now() - started;
    this.#averageDuration =
      this.#averageDuration === undefined
        ? duration
        : this.#averageDuration + durationWeight * (duration - this.#averageDuration);
  }

  #answer(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
    this.#send(res, status, JSON.stringify(body), headers);
  }

  #send(
    res: ServerResponse,
    status: number,
    json: string | undefined,
    headers: Record<string, string>,
  ): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      ...headers,
      'cache-control': 'no-store',
      ...(json === undefined
        ? {}
        : {
            'content-type': 'application/json; charset=utf-8',
            'content-length': String(Buffer.byteLength(json)),
          }),
    });
    res.end(json);
  }
}
