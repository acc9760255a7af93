import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Observable, type SchedulerLike, Subscription } from 'rxjs';
import { type HandshakeProvider, isBackpressureError, ServiceAtCapacityError } from 'rxjs-backpressure';
import {
  booleanOption,
  describeValue,
  isNonNegativeCount,
  numberOption,
  optionalFunction,
  optionsObject,
  refuseUnknownKeys,
} from '../core/validation.js';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { assertService } from '../internal/assertService.js';
import { followResult } from '../internal/followResult.js';
import { isServiceAtCapacity } from '../internal/isServiceAtCapacity.js';
import { LastValue } from '../internal/LastValue.js';
import { schedulerOption } from '../internal/schedulerOption.js';
import { discardBody } from './internal/discardBody.js';
import { httpProtocol } from './internal/httpProtocol.js';
import { type Lease, LeaseBook } from './internal/LeaseBook.js';
import { LeaseStream } from './internal/LeaseStream.js';
import { onClientGone } from './internal/onClientGone.js';
import { readBody } from './internal/readBody.js';

/**
 * The cross-origin rule of {@link handshakeHandler}: which browser origins may call it. Preflight
 * requests (`OPTIONS`) are answered for them; credentials (cookies) are refused unless allowed.
 *
 * @example
 * ```ts
 * import type { HandshakeCorsOptions } from 'rxjs-backpressure/http';
 *
 * const cors: HandshakeCorsOptions = { origins: ['https://app.example.com'], maxAge: 600 };
 * ```
 */
export interface HandshakeCorsOptions {
  /** The allowed origins, exactly as browsers send them (`https://app.example.com`), or `'*'` for any. */
  readonly origins: readonly string[] | '*';
  /** Whether browsers may send cookies and HTTP authentication. Default `false`. */
  readonly credentials?: boolean;
  /** Seconds a browser may cache a preflight answer: a non-negative integer. Default 600. */
  readonly maxAge?: number;
}

/**
 * Options of {@link handshakeHandler}. Every one is checked when `handshakeHandler` is called, and
 * unknown keys are refused.
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
 *   retryAfter: 0.25,
 *   maxBodyBytes: 1_024,
 *   callTimeout: 5_000,
 *   maxStreams: 64,
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
   * Seconds to advise when at capacity: a non-negative finite number (`0.05` is 50 ms). Sent as
   * `Retry-After-Ms` (rounded) and `Retry-After` (rounded up to whole seconds). Default: derived from
   * the calls this handler saw, as the mean time between two freed slots while the provider is
   * saturated: the average duration of recent calls (a moving average giving the newest call a
   * weight of 0.2) divided by the provider's `capacity` (1 when it exposes none), at least 1 ms. A
   * `ServiceAtCapacityError` from `do()` that carries its own `retryAfter` is advised instead. Advice
   * is capped at one day.
   */
  readonly retryAfter?: number;
  /** The largest `POST /do` body in bytes: a non-negative integer. Default 1 MiB (1 048 576). */
  readonly maxBodyBytes?: number;
  /** How many `/credits` streams may be open at once (503 beyond): a non-negative integer. Default 256. */
  readonly maxStreams?: number;
  /**
   * Milliseconds a `POST /do` may take from its admission (the body read included) before its work's
   * signal is aborted with a `TimeoutError` and the client gets 504: a positive number, `Infinity`
   * for no limit. Default 60 000.
   */
  readonly callTimeout?: number;
  /**
   * Milliseconds after a client joins before the server takes back (`revoke`) credit that others still
   * hold unused above their new share: a non-negative finite number. Default 1 000. Busy clients turn
   * their credit into calls sooner, and the slots those free go to the newcomer as they free.
   */
  readonly revokeAfter?: number;
  /** Milliseconds between two heartbeat comments on each `/credits` stream: positive. Default 15 000. */
  readonly heartbeatInterval?: number;
  /** Lets browser pages of other origins call the handler. Default: no cross-origin access. */
  readonly cors?: HandshakeCorsOptions;
  /** Where the timers run (call timeouts, heartbeats, lingering closes). Default: `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** The load a provider exposes, when it has numeric `capacity` and `active` (a TrackedService does). */
interface Load {
  readonly capacity: number;
  readonly active: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type Headers = Record<string, string>;

const optionKeys = [
  'decode',
  'encode',
  'retryAfter',
  'maxBodyBytes',
  'maxStreams',
  'callTimeout',
  'revokeAfter',
  'heartbeatInterval',
  'cors',
  'scheduler',
];
const corsKeys = ['origins', 'credentials', 'maxAge'];
const defaultMaxBodyBytes = 1_048_576;
const defaultMaxStreams = 256;
const defaultCallTimeout = 60_000;
const defaultRevokeAfter = 1_000;
/** Often enough for proxies that cut idle connections after a minute, rare enough to cost nothing. */
const defaultHeartbeatInterval = 15_000;
/** How much the newest call moves the average duration behind the derived retry advice. */
const durationWeight = 0.2;
/** Advice beyond a day is no advice a client should follow; it also keeps `Retry-After` an integer. */
const maxRetryAfterMs = 86_400_000;
const allowedMethods: Readonly<Record<string, string>> = {
  [httpProtocol.readyPath]: 'GET, HEAD',
  [httpProtocol.doPath]: 'POST',
  [httpProtocol.creditsPath]: 'GET',
};

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

/** The media type of a `Content-Type`, lower case, without its parameters. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * Serves a {@link HandshakeProvider} over HTTP with Node's `http` module, so a {@link RemoteService}
 * in another process (or a browser, or any HTTP client) can take part in the handshake:
 *
 * - `GET /credits`: a `text/event-stream` that leases the provider's capacity to this client. The
 *   server divides the capacity into equal shares among the open streams and tells each client its
 *   own credit: first `lease` (an id), `share` and `credit` events, then `credit` when slots are
 *   granted to it, `revoke` when unused credit is taken back (a client joined) and `share` when its
 *   share changes. A client gone gives its credit back at once. See the README for the protocol.
 * - `POST /do` with a JSON body (`Content-Type: application/json`, 415 otherwise) and, from a
 *   credit-stream client, `X-Lease: <id>`: admitted on one credit of that lease, else on room no
 *   lease holds, else refused with `503` at once, before its body is read and without running the
 *   work (`Retry-After` and `Retry-After-Ms` advise when to try again). While no stream is open,
 *   admission is the provider's `isReady()`. The readiness check and the call happen in one tick after
 *   the body is read, and a `ServiceAtCapacityError` from `do()` is a 503 too. Otherwise `200` with
 *   the JSON result (`204` when it encodes to `undefined`), `500` with the error, or `504` after
 *   `callTimeout` (the work's signal is then aborted).
 * - `GET /ready` (and `HEAD`): `200 {"ready":true,"capacity":8,"active":3}` or `503` with the retry
 *   advice and `"ready":false` (`capacity` and `active` only when the provider exposes them).
 *
 * Answers carry `X-Content-Type-Options: nosniff`, and those of `/ready` and `/do` `X-Capacity` and
 * `X-Active` when the provider exposes them; every error is a JSON body `{"message": ..., "code"?: ...}`.
 * Bad requests never take a slot: a body over `maxBodyBytes` gets 413 (the rest of the upload is read
 * and dropped for a moment so the client hears the answer, then the connection closes), invalid JSON
 * or a refused `decode` 400, an unknown path 404, a wrong method 405 with `Allow`, streams beyond
 * `maxStreams` 503. A client that disconnects before its answer (pipelined requests included) aborts
 * the `AbortSignal` given to `do()`, so the provider frees its slot as it settles. Handler errors
 * (including a 500's message) go to the client, so serve it to callers you trust.
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
 * createServer(handshakeHandler(resize, { callTimeout: 10_000 })).listen(8080);
 * ```
 */
export function handshakeHandler<Req, Res>(
  provider: HandshakeProvider<Req, Res>,
  options?: HandshakeHandlerOptions<Req, Res>,
): Handler {
  assertService(
    provider,
    'handshakeHandler(provider)',
    'a HandshakeProvider with isReady(), do(req) and credits$',
  );
  const credits = toCreditSignal(provider, 'handshakeHandler(provider)');
  const given = optionsObject(options, 'options');
  refuseUnknownKeys(given, optionKeys, 'options');
  const endpoints = new HandshakeEndpoints(provider, credits, {
    decode: optionalFunction(given.decode, 'options.decode') ?? ((body: unknown) => body as Req),
    encode: optionalFunction(given.encode, 'options.encode') ?? ((result: Res) => result),
    retryAfterMs:
      given.retryAfter === undefined
        ? undefined
        : Math.min(
            maxRetryAfterMs,
            Math.round(
              1000 *
                numberOption(
                  given.retryAfter,
                  'options.retryAfter',
                  'a non-negative finite number of seconds',
                  (n) => n >= 0 && Number.isFinite(n),
                ),
            ),
          ),
    maxBodyBytes: numberOption(
      given.maxBodyBytes ?? defaultMaxBodyBytes,
      'options.maxBodyBytes',
      'a non-negative integer number of bytes',
      isNonNegativeCount,
    ),
    maxStreams: numberOption(
      given.maxStreams ?? defaultMaxStreams,
      'options.maxStreams',
      'a non-negative integer',
      isNonNegativeCount,
    ),
    callTimeout: numberOption(
      given.callTimeout ?? defaultCallTimeout,
      'options.callTimeout',
      'a positive number of milliseconds or Infinity',
      (n) => n > 0,
    ),
    revokeAfter: numberOption(
      given.revokeAfter ?? defaultRevokeAfter,
      'options.revokeAfter',
      'a non-negative finite number of milliseconds',
      (n) => n >= 0 && Number.isFinite(n),
    ),
    heartbeatInterval: numberOption(
      given.heartbeatInterval ?? defaultHeartbeatInterval,
      'options.heartbeatInterval',
      'a positive finite number of milliseconds',
      (n) => n > 0 && Number.isFinite(n),
    ),
    cors: resolveCors(given.cors),
    scheduler: schedulerOption(given.scheduler, 'options.scheduler'),
  });
  return (req, res) => {
    try {
      endpoints.route(req, res);
    } catch (error) {
      endpoints.fail(res, {}, 500, error);
    }
  };
}

interface ResolvedCors {
  readonly origins: ReadonlySet<string> | '*';
  readonly credentials: boolean;
  readonly maxAge: number;
}

function resolveCors(cors: HandshakeCorsOptions | undefined): ResolvedCors | undefined {
  if (cors === undefined) return undefined;
  const given = optionsObject(cors, 'options.cors');
  refuseUnknownKeys(given, corsKeys, 'options.cors');
  const { origins } = given;
  if (origins !== '*' && !(Array.isArray(origins) && origins.every((origin) => typeof origin === 'string'))) {
    throw new TypeError(
      `options.cors.origins must be '*' or an array of origin strings, got ${describeValue(origins)}.`,
    );
  }
  return {
    origins: origins === '*' ? '*' : new Set(origins),
    credentials: booleanOption(given.credentials ?? false, 'options.cors.credentials'),
    maxAge: numberOption(
      given.maxAge ?? 600,
      'options.cors.maxAge',
      'a non-negative integer number of seconds',
      isNonNegativeCount,
    ),
  };
}

interface ResolvedOptions<Req, Res> {
  readonly decode: (body: unknown) => Req;
  readonly encode: (result: Res) => unknown;
  readonly retryAfterMs: number | undefined;
  readonly maxBodyBytes: number;
  readonly maxStreams: number;
  readonly callTimeout: number;
  readonly revokeAfter: number;
  readonly heartbeatInterval: number;
  readonly cors: ResolvedCors | undefined;
  readonly scheduler: SchedulerLike;
}

/** The three endpoints of one handler, sharing the provider, its leases and the duration of its calls. */
class HandshakeEndpoints<Req, Res> {
  readonly #provider: HandshakeProvider<Req, Res>;
  readonly #options: ResolvedOptions<Req, Res>;
  readonly #leases: LeaseBook;
  readonly #streams = new Set<LeaseStream>();
  /** One timer beats for every open stream; running only while there is one. */
  #heartbeat: Subscription | undefined;
  /** Moving average of call durations in ms, behind the derived retry advice; unknown before a call. */
  #averageDuration: number | undefined;

  constructor(
    provider: HandshakeProvider<Req, Res>,
    credits: Observable<number>,
    options: ResolvedOptions<Req, Res>,
  ) {
    this.#provider = provider;
    this.#options = options;
    this.#leases = new LeaseBook(
      credits,
      () => {
        const { capacity, active } = this.#load();
        return capacity === undefined || active === undefined ? undefined : { capacity, active };
      },
      options.scheduler,
      options.revokeAfter,
    );
  }

  route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const method = req.method ?? 'GET';
    const headers = this.#corsHeaders(req);
    const allowed = allowedMethods[path];
    if (allowed === undefined) {
      this.#answer(res, headers, 404, {
        message: `No such endpoint: ${describeValue(path)}; there are ${httpProtocol.readyPath}, ${httpProtocol.doPath} and ${httpProtocol.creditsPath}.`,
      });
    } else if (method === 'OPTIONS' && this.#options.cors !== undefined) {
      this.#preflight(req, res, headers, allowed);
    } else if (path === httpProtocol.readyPath && (method === 'GET' || method === 'HEAD')) {
      this.#ready(res, headers, method === 'HEAD');
    } else if (path === httpProtocol.doPath && method === 'POST') {
      this.#do(req, res, headers);
    } else if (path === httpProtocol.creditsPath && method === 'GET') {
      this.#stream(req, res, headers);
    } else {
      this.#answer(res, { ...headers, allow: allowed }, 405, {
        message: `${path} takes ${allowed}, not ${describeValue(method)}.`,
      });
    }
  }

  /** Answers with an error, unless an answer is already on its way or the client is gone. */
  fail(res: ServerResponse, headers: Headers, status: number, error: unknown): void {
    const code = isBackpressureError(error) ? { code: error.code } : {};
    this.#answer(res, headers, status, { message: messageOf(error), ...code });
  }

  #ready(res: ServerResponse, headers: Headers, head: boolean): void {
    if (this.#provider.isReady()) {
      this.#answer(res, { ...headers, ...this.#loadHeaders() }, 200, { ready: true, ...this.#load() }, head);
    } else {
      this.#refuse(res, headers, undefined, { ready: false }, head);
    }
  }

  #do(req: IncomingMessage, res: ServerResponse, headers: Headers): void {
    const lease = req.headers[httpProtocol.leaseHeader];
    // Admission first: a refusal costs no body read (Node drops the unread body after the answer).
    const admission = this.#leases.admit(typeof lease === 'string' ? lease : undefined);
    if (admission === undefined || (admission.kind === 'unleased' && !this.#provider.isReady())) {
      this.#refuse(res, headers, undefined);
      discardBody(req, this.#options.scheduler);
      return;
    }
    const call = new AbortController();
    const work = new Subscription();
    let done = false;
    const finish = (ranWork: boolean): boolean => {
      if (done) return false;
      done = true;
      stopWaiting();
      timeout?.unsubscribe();
      work.unsubscribe();
      this.#leases.release(admission, ranWork);
      return true;
    };
    const stopWaiting = onClientGone(req, res, () => {
      if (!finish(started !== undefined)) return;
      call.abort(new Error('The client disconnected before the answer.'));
    });
    let started: number | undefined;
    const { callTimeout, scheduler } = this.#options;
    const timeout = Number.isFinite(callTimeout)
      ? scheduler.schedule(() => {
          const running = started !== undefined;
          if (!finish(running)) return;
          const error = new DOMException(
            `The call took longer than options.callTimeout (${callTimeout} ms).`,
            'TimeoutError',
          );
          call.abort(error);
          // Before the work started the body was still coming: the request, not the work, was slow.
          if (running) this.#answer(res, headers, 504, { message: error.message });
          else this.#answer(res, { ...headers, connection: 'close' }, 408, { message: error.message });
        }, callTimeout)
      : undefined;
    const refuse = (status: number, message: string, extra: Headers = {}): void => {
      if (finish(false)) this.#answer(res, { ...headers, ...extra }, status, { message });
    };

    if (mediaType(req.headers['content-type']) !== httpProtocol.jsonType) {
      refuse(415, `POST ${httpProtocol.doPath} takes Content-Type: ${httpProtocol.jsonType}.`);
      discardBody(req, scheduler);
      return;
    }
    readBody(req, this.#options.maxBodyBytes).then(
      (body) => {
        if (done) return;
        if (body.kind === 'aborted') {
          finish(false);
          return;
        }
        if (body.kind === 'too-large') {
          refuse(413, `The body is larger than the limit of ${this.#options.maxBodyBytes} bytes.`);
          discardBody(req, scheduler);
          return;
        }
        let parsed: unknown;
        try {
          parsed = body.text === '' ? undefined : JSON.parse(body.text);
        } catch (error) {
          refuse(400, `The body is not valid JSON: ${messageOf(error)}`);
          return;
        }
        let request: Req;
        try {
          request = this.#options.decode(parsed);
        } catch (error) {
          refuse(400, `options.decode refused the body: ${messageOf(error)}`);
          return;
        }
        // The readiness check and the call happen in this one tick, so no other request can take the
        // slot in between.
        if (!this.#provider.isReady()) {
          if (finish(true)) this.#refuse(res, headers, undefined);
          return;
        }
        started = performance.now();
        let outcome: Promise<Res>;
        try {
          outcome = this.#outcome(this.#provider.do(request, call.signal), work);
        } catch (error) {
          outcome = Promise.reject(error);
        }
        this.#leases.started(admission);
        outcome.then(
          (result) => {
            if (!finish(true)) return;
            this.#measure(started ?? 0);
            this.#succeed(res, headers, result);
          },
          (error: unknown) => {
            if (!finish(true)) return;
            if (isServiceAtCapacity(error)) {
              // A refusal ran no work: its few microseconds would drag the average call duration down.
              this.#refuse(res, headers, error);
              return;
            }
            this.#measure(started ?? 0);
            this.fail(res, headers, 500, error);
          },
        );
      },
      (error: unknown) => {
        if (finish(false)) this.fail(res, headers, 500, error);
      },
    );
  }

  #outcome(result: Promise<Res> | Observable<Res>, work: Subscription): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      followResult(
        result,
        'provider.do(req)',
        'refused',
        work,
        new LastValue({ resolve, reject }, 'provider.do(req)'),
      );
    });
  }

  #succeed(res: ServerResponse, headers: Headers, result: Res): void {
    let json: string | undefined;
    try {
      json = JSON.stringify(this.#options.encode(result));
    } catch (error) {
      this.fail(res, headers, 500, error);
      return;
    }
    this.#send(res, { ...headers, ...this.#loadHeaders() }, json === undefined ? 204 : 200, json);
  }

  /**
   * 503 with retry advice. `error` is the provider's own refusal when it came from `do()`; `extra`
   * adds to the body (`/ready` says `ready: false`).
   */
  #refuse(res: ServerResponse, headers: Headers, error: unknown, extra: object = {}, head = false): void {
    const retryAfterMs = this.#retryAfterMs(error);
    const retryAfter = Math.ceil(retryAfterMs / 1000);
    const load = this.#load();
    const refusal = new ServiceAtCapacityError({ ...load, retryAfter: retryAfterMs });
    this.#answer(
      res,
      {
        ...headers,
        ...this.#loadHeaders(),
        'retry-after': String(retryAfter),
        [httpProtocol.retryAfterMsHeader]: String(retryAfterMs),
      },
      503,
      { ...extra, message: refusal.message, code: refusal.code, retryAfter, retryAfterMs, ...load },
      head,
    );
  }

  #stream(req: IncomingMessage, res: ServerResponse, headers: Headers): void {
    // Behind async middleware the client may be gone already: nothing would end the lease.
    if (res.destroyed || req.socket.destroyed) return;
    if (this.#leases.size >= this.#options.maxStreams) {
      this.#refuse(res, headers, undefined);
      return;
    }
    const stream = new LeaseStream(res);
    const lease = this.#leases.open(stream);
    if (lease === undefined) {
      this.#answer(res, headers, 500, { message: 'The provider has no credit signal to lease.' });
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': `${httpProtocol.eventStreamType}; charset=utf-8`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // Tells nginx-like proxies not to hold events back in a buffer.
      'x-accel-buffering': 'no',
    });
    stream.open(lease.id, lease.share, lease.credit);
    this.#streams.add(stream);
    this.#beat();
    onClientGone(req, res, () => this.#closeStream(lease, stream));
    res.once('finish', () => this.#closeStream(lease, stream));
  }

  #closeStream(lease: Lease, stream: LeaseStream): void {
    if (!this.#streams.delete(stream)) return;
    this.#leases.close(lease);
    stream.end();
    if (this.#streams.size === 0) {
      this.#heartbeat?.unsubscribe();
      this.#heartbeat = undefined;
    }
  }

  #beat(): void {
    if (this.#heartbeat !== undefined) return;
    const streams = this.#streams;
    const interval = this.#options.heartbeatInterval;
    this.#heartbeat = this.#options.scheduler.schedule(function beat() {
      for (const stream of streams) stream.heartbeat();
      this.schedule(undefined, interval);
    }, interval);
  }

  #preflight(req: IncomingMessage, res: ServerResponse, headers: Headers, allowed: string): void {
    if (headers['access-control-allow-origin'] === undefined) {
      this.#answer(res, headers, 403, {
        message: `The origin ${describeValue(req.headers.origin ?? '')} may not call this handler.`,
      });
      return;
    }
    this.#send(
      res,
      {
        ...headers,
        'access-control-allow-methods': allowed,
        'access-control-allow-headers': `content-type, ${httpProtocol.leaseHeader}`,
        'access-control-max-age': String(this.#options.cors?.maxAge ?? 0),
      },
      204,
      undefined,
    );
  }

  /** The CORS headers of an answer to this request: none without the option or for another origin. */
  #corsHeaders(req: IncomingMessage): Headers {
    const cors = this.#options.cors;
    const origin = req.headers.origin;
    if (cors === undefined) return {};
    const vary = { vary: 'Origin' };
    if (origin === undefined || (cors.origins !== '*' && !cors.origins.has(origin))) return vary;
    return {
      ...vary,
      'access-control-allow-origin': cors.origins === '*' && !cors.credentials ? '*' : origin,
      'access-control-expose-headers': `retry-after, ${httpProtocol.retryAfterMsHeader}, ${httpProtocol.capacityHeader}, ${httpProtocol.activeHeader}`,
      ...(cors.credentials ? { 'access-control-allow-credentials': 'true' } : {}),
    };
  }

  #load(): Partial<Load> {
    const { capacity, active } = this.#provider as { capacity?: unknown; active?: unknown };
    return isCount(capacity) && isCount(active) ? { capacity, active } : {};
  }

  #loadHeaders(): Headers {
    const { capacity, active } = this.#load();
    return capacity === undefined || active === undefined
      ? {}
      : { [httpProtocol.capacityHeader]: String(capacity), [httpProtocol.activeHeader]: String(active) };
  }

  /** Milliseconds to advise: the option, else the provider's own advice, else derived (see options). */
  #retryAfterMs(error: unknown): number {
    if (this.#options.retryAfterMs !== undefined) return this.#options.retryAfterMs;
    const advised = (error as { retryAfter?: unknown } | undefined)?.retryAfter;
    if (typeof advised === 'number' && advised >= 0) {
      return Math.min(maxRetryAfterMs, Math.ceil(advised));
    }
    const capacity = this.#load().capacity ?? 1;
    const between = (this.#averageDuration ?? 0) / Math.max(1, capacity);
    return Math.min(maxRetryAfterMs, Math.max(1, Math.ceil(between)));
  }

  #measure(started: number): void {
    const duration = performance.now() - started;
    this.#averageDuration =
      this.#averageDuration === undefined
        ? duration
        : this.#averageDuration + durationWeight * (duration - this.#averageDuration);
  }

  #answer(res: ServerResponse, headers: Headers, status: number, body: object, head = false): void {
    const json = JSON.stringify(body);
    this.#send(res, headers, status, json, head);
  }

  #send(res: ServerResponse, headers: Headers, status: number, json: string | undefined, head = false): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      ...headers,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...(json === undefined
        ? {}
        : {
            'content-type': `${httpProtocol.jsonType}; charset=utf-8`,
            'content-length': String(Buffer.byteLength(json)),
          }),
    });
    res.end(head ? undefined : json);
  }
}
