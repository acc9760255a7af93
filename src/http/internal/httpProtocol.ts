/**
 * The wire protocol that `handshakeHandler` speaks and `RemoteService` understands, in one place so
 * the two ends cannot drift apart.
 *
 * - `GET /ready`, `POST /do`, `GET /credits` (paths relative to where the handler is mounted).
 * - Answers of `/ready` and `/do` carry the provider's load, when it exposes one, in
 *   `X-Capacity` and `X-Active`: counts, `Infinity` for an unbounded capacity.
 * - `/credits` is a `text/event-stream`: first a `room` event whose data is the free room when the
 *   client connected, then a `credit` event per grant (the number of slots freed).
 */
export const httpProtocol = {
  readyPath: '/ready',
  doPath: '/do',
  creditsPath: '/credits',
  capacityHeader: 'x-capacity',
  activeHeader: 'x-active',
  roomEvent: 'room',
  creditEvent: 'credit',
  eventStreamType: 'text/event-stream',
} as const;
