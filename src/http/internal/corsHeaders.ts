import type { IncomingMessage } from 'node:http';
import { httpProtocol } from './httpProtocol.js';
import type { ResolvedCors } from './resolveCors.js';

/**
 * The CORS headers of an answer to `req`: none without `options.cors`, only `Vary: Origin` for an
 * origin it does not allow (so caches keep the answers to different origins apart), else the allowed
 * origin and the headers a page may read (the retry advice and the load).
 */
export function corsHeaders(req: IncomingMessage, cors: ResolvedCors | undefined): Record<string, string> {
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
