import { type ServiceLoad, serviceLoad } from '../../core/serviceLoad.js';
import { isCount } from './isCount.js';

/**
 * The load a provider exposes, when its `capacity` and `active` are counts (a `TrackedService`'s
 * are): what the handler advertises in `X-Capacity` and `X-Active`, and what the lease book checks its
 * free room against. Read anew each time, since both change with every call.
 */
export function providerLoad(provider: object): ServiceLoad | undefined {
  const load = serviceLoad(provider);
  return load !== undefined && isCount(load.capacity) && isCount(load.active) ? load : undefined;
}
