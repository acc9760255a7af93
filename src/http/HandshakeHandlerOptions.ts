import type { SchedulerLike } from 'rxjs';
import type { HandshakeCorsOptions } from './HandshakeCorsOptions.js';

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
