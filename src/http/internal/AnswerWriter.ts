import type { ServerResponse } from 'node:http';
import { isBackpressureError, ServiceAtCapacityError } from 'rxjs-backpressure';
import type { ServiceLoad } from '../../core/serviceLoad.js';
import { httpProtocol } from './httpProtocol.js';
import { messageOf } from './messageOf.js';
import { providerLoad } from './providerLoad.js';
import { RetryAdvice } from './RetryAdvice.js';

/** The headers of one answer, by lower-case name. */
export type AnswerHeaders = Record<string, string>;

/**
 * How one handler answers: every body JSON with `Cache-Control: no-store` and `nosniff`, every error
 * `{"message", "code"?}`, results with the provider's load in `X-Capacity`/`X-Active`, and refusals
 * (503) with the retry advice in `Retry-After` and `Retry-After-Ms`. An answer is written only while
 * none is on its way and the client is there, so the racing ends of a call (its result, its timeout,
 * the client leaving) need not check.
 */
export class AnswerWriter<Res> {
  readonly #provider: object;
  readonly #encode: (result: Res) => unknown;
  readonly #advice: RetryAdvice;

  /** `retryAfterMs`: the `retryAfter` option in milliseconds, `undefined` to derive the advice. */
  constructor(provider: object, encode: (result: Res) => unknown, retryAfterMs: number | undefined) {
    this.#provider = provider;
    this.#encode = encode;
    this.#advice = new RetryAdvice(retryAfterMs);
  }

  /** A call that ran work ended: its duration feeds the derived retry advice. */
  measure(started: number): void {
    this.#advice.measure(started);
  }

  /** 200 with the encoded result (204 when it encodes to `undefined`), or 500 if it cannot be encoded. */
  succeed(res: ServerResponse, headers: AnswerHeaders, result: Res): void {
    let json: string | undefined;
    try {
      json = JSON.stringify(this.#encode(result));
    } catch (error) {
      this.fail(res, headers, 500, error);
      return;
    }
    this.send(
      res,
      { ...headers, ...this.#loadHeaders(providerLoad(this.#provider)) },
      json === undefined ? 204 : 200,
      json,
    );
  }

  /** `/ready`'s 200: ready, with the load when the provider exposes one. */
  ready(res: ServerResponse, headers: AnswerHeaders, head: boolean): void {
    const load = providerLoad(this.#provider);
    this.answer(res, { ...headers, ...this.#loadHeaders(load) }, 200, { ready: true, ...load }, head);
  }

  /**
   * 503 with retry advice. `refusal` is the provider's own when it came from `do()`; `extra` adds to
   * the body (`/ready` says `ready: false`).
   */
  refuse(
    res: ServerResponse,
    headers: AnswerHeaders,
    refusal: unknown,
    extra: object = {},
    head = false,
  ): void {
    const load = providerLoad(this.#provider);
    const retryAfterMs = this.#advice.afterMs(refusal, load?.capacity);
    const retryAfter = Math.ceil(retryAfterMs / 1000);
    const error = new ServiceAtCapacityError({ ...load, retryAfter: retryAfterMs });
    this.answer(
      res,
      {
        ...headers,
        ...this.#loadHeaders(load),
        'retry-after': String(retryAfter),
        [httpProtocol.retryAfterMsHeader]: String(retryAfterMs),
      },
      503,
      { ...extra, message: error.message, code: error.code, retryAfter, retryAfterMs, ...load },
      head,
    );
  }

  /** An error answer: its message, and its `code` when it is a `BackpressureError`. */
  fail(res: ServerResponse, headers: AnswerHeaders, status: number, error: unknown): void {
    const code = isBackpressureError(error) ? { code: error.code } : {};
    this.answer(res, headers, status, { message: messageOf(error), ...code });
  }

  /** `body` as JSON with `status`; `head`: the headers alone, for a `HEAD` request. */
  answer(res: ServerResponse, headers: AnswerHeaders, status: number, body: object, head = false): void {
    this.send(res, headers, status, JSON.stringify(body), head);
  }

  /** Writes the answer (`json` undefined: no body), unless one is already on its way or the client is gone. */
  send(
    res: ServerResponse,
    headers: AnswerHeaders,
    status: number,
    json: string | undefined,
    head = false,
  ): void {
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

  #loadHeaders(load: ServiceLoad | undefined): AnswerHeaders {
    return load === undefined
      ? {}
      : {
          [httpProtocol.capacityHeader]: String(load.capacity),
          [httpProtocol.activeHeader]: String(load.active),
        };
  }
}
