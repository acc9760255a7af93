/**
 * The wire protocol that `handshakeHandler` speaks and `RemoteService` understands, in one place so
 * the two ends cannot drift apart (the README's "Handshake across the network" documents it for
 * clients in other languages).
 *
 * - `GET|HEAD /ready`, `POST /do`, `GET /credits` (paths relative to where the handler is mounted).
 * - Answers of `/ready` and `/do` carry the provider's load, when it exposes one, in
 *   `X-Capacity` and `X-Active`: counts, `Infinity` for an unbounded capacity. A 503 carries
 *   `Retry-After` (whole seconds) and `Retry-After-Ms` (the same advice in milliseconds).
 * - `/credits` is a `text/event-stream` leasing the capacity to this client: first `lease` (its id),
 *   `share` and `credit` events, then `credit` (slots granted), `revoke` (unused credit taken back)
 *   and `share` events. A `POST /do` names its lease in `X-Lease` to spend one credit.
 */
export const httpProtocol = {
  readyPath: '/ready',
  doPath: '/do',
  creditsPath: '/credits',
  capacityHeader: 'x-capacity',
  activeHeader: 'x-active',
  leaseHeader: 'x-lease',
  retryAfterMsHeader: 'retry-after-ms',
  leaseEvent: 'lease',
  shareEvent: 'share',
  creditEvent: 'credit',
  revokeEvent: 'revoke',
  eventStreamType: 'text/event-stream',
  jsonType: 'application/json',
} as const;
