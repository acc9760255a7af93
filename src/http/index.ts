// The public barrel of rxjs-backpressure/http: the handshake across the network (Node's http on the
// server, the global fetch on the client), kept out of the main entry point.

export type { HandshakeCorsOptions } from './HandshakeCorsOptions.js';
export { handshakeHandler } from './handshakeHandler.js';
export type { HandshakeHandlerOptions } from './HandshakeHandlerOptions.js';
export { RemoteService } from './RemoteService.js';
export type { RemoteServiceOptions } from './RemoteServiceOptions.js';
export { RemoteServiceError } from './RemoteServiceError.js';
