import type { ServiceLoad } from '../../core/serviceLoad.js';
import { httpProtocol } from './httpProtocol.js';
import { parseCount } from './parseCount.js';

/**
 * The server's load as an answer carries it in `X-Capacity` and `X-Active`, or `undefined` unless both
 * are there and are counts: the client's view of what `handshakeHandler` advertises.
 */
export function readLoad(headers: Headers): ServiceLoad | undefined {
  const capacity = parseCount(headers.get(httpProtocol.capacityHeader));
  const active = parseCount(headers.get(httpProtocol.activeHeader));
  return capacity === undefined || active === undefined ? undefined : { capacity, active };
}
