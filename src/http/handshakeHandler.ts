import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HandshakeProvider } from 'rxjs-backpressure';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { assertService } from '../internal/assertService.js';
import type { HandshakeHandlerOptions } from './HandshakeHandlerOptions.js';
import { HandshakeServer } from './internal/HandshakeServer.js';
import { resolveHandshakeOptions } from './internal/resolveHandshakeOptions.js';

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
): (req: IncomingMessage, res: ServerResponse) => void {
  assertService(
    provider,
    'handshakeHandler(provider)',
    'a HandshakeProvider with isReady(), do(req) and credits$',
  );
  const credits = toCreditSignal(provider, 'handshakeHandler(provider)');
  const server = new HandshakeServer(provider, credits, resolveHandshakeOptions(options));
  return (req, res) => server.handle(req, res);
}
