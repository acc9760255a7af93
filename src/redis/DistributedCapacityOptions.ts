import type { Redis } from 'ioredis';

/**
 * Options of {@link DistributedCapacity}. Every one is checked when it is constructed; every process
 * sharing a `key` must use the same `capacity` and `leaseTtl`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import type { DistributedCapacityOptions } from 'rxjs-backpressure/redis';
 *
 * const options: DistributedCapacityOptions<string, number> = {
 *   redis: new Redis(),
 *   key: 'capacity:geocoder',
 *   capacity: 8,
 *   handler: async (address, signal, token) =>
 *     (await fetch(`http://geo.internal/?q=${address}&fence=${token}`, { signal })).status,
 * };
 * ```
 */
export interface DistributedCapacityOptions<Req, Res> {
  /** The client for the lease scripts; a second connection (`redis.duplicate()`) waits for wake-ups. */
  readonly redis: Redis;
  /** The name of the shared capacity; its keys are `{key}:leases`, `{key}:token`, ... */
  readonly key: string;
  /** How many calls may run at once across every process: a positive safe integer. */
  readonly capacity: number;
  /**
   * The work. `signal` aborts when the caller's does, or when this call's lease is lost (reason: a
   * `BackpressureError` of code `'ERR_LEASE_LOST'`): stop then, another process may hold the slot.
   * `token` is the lease's fencing token, larger than any handed out before: pass it to a downstream
   * that can refuse writes carrying a token older than one it has seen.
   */
  readonly handler: (req: Req, signal: AbortSignal, token: number) => Promise<Res> | Res;
  /**
   * How long a lease lives without renewal, in ms: a positive integer, default 10,000. Leases of a
   * running call are renewed every quarter of it; a crashed process's leases are free again after it;
   * a server that comes back empty grants nothing for it (the epoch guard).
   */
  readonly leaseTtl?: number;
  /**
   * How long, in ms, this process may keep reusing a lease for its own queued work before handing the
   * slot back: a non-negative integer, default 250. A lease freed by a call is offered on `credits$`
   * and released if no call takes it by the next macrotask.
   */
  readonly reuseFor?: number;
  /**
   * The epoch guard (default `true`): after the server lost the leases (a restart without persistence,
   * or the first use ever), nothing is granted for one `leaseTtl`. Turn it off only when a brief excess
   * over `capacity` after such a restart is acceptable.
   */
  readonly epochGuard?: boolean;
}
