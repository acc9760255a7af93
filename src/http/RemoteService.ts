import type { Observable } from 'rxjs';
import type { HandshakeProvider } from 'rxjs-backpressure';
import { describeValue } from '../core/validation.js';
import { AbortListeners } from '../internal/AbortListeners.js';
import { isAbortSignal } from '../internal/isAbortSignal.js';
import { abortAfter } from './internal/abortAfter.js';
import { httpProtocol } from './internal/httpProtocol.js';
import { LeaseClient } from './internal/LeaseClient.js';
import type { Leased } from './internal/RoomEstimate.js';
import { readResult } from './internal/readResult.js';
import { type RemoteSettings, resolveRemoteServiceOptions } from './internal/resolveRemoteServiceOptions.js';
import type { RemoteServiceOptions } from './RemoteServiceOptions.js';

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

  readonly #settings: RemoteSettings;
  readonly #aborts = new AbortListeners();
  readonly #leases: LeaseClient;

  constructor(options: RemoteServiceOptions) {
    this.#settings = resolveRemoteServiceOptions(options);
    this.#leases = new LeaseClient(this.#settings);
    this.credits$ = this.#leases.credits$;
  }

  /**
   * The share of the server's capacity leased to this client (capacity divided by the clients
   * connected, maybe fractional; `Infinity` for an unbounded one), or `undefined` without a lease.
   */
  get share(): number | undefined {
    return this.#leases.share;
  }

  /** Whether the client may send one more call: see the class description. O(1), no I/O. */
  isReady(): boolean {
    return this.#leases.usable() > 0;
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
    return this.#post(body, signal, this.#leases.send());
  }

  async #post(
    body: string | undefined,
    signal: AbortSignal | undefined,
    leased: Leased | undefined,
  ): Promise<Res> {
    const { doUrl, fetch, timeout, scheduler } = this.#settings;
    const controller = new AbortController();
    const forward = (): void => controller.abort(signal?.reason);
    if (signal !== undefined) this.#aborts.add(signal, forward);
    const timer = abortAfter(
      controller,
      timeout,
      `POST ${doUrl.href} took longer than ${timeout} ms.`,
      scheduler,
    );
    let answered = false;
    try {
      const response = await fetch(doUrl, {
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
      this.#leases.answered(response, leased);
      return readResult<Res>(response, await response.text(), doUrl);
    } catch (error) {
      throw controller.signal.aborted ? controller.signal.reason : error;
    } finally {
      timer?.unsubscribe();
      if (signal !== undefined) this.#aborts.delete(signal, forward);
      if (!answered) this.#leases.answered(undefined, leased);
    }
  }
}
