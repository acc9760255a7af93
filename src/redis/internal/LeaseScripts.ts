import type { Redis } from 'ioredis';
import type { CapacityKeys } from './capacityKeys.js';
import { acquireScript, releaseScript, renewScript } from './capacityScripts.js';

/**
 * The lease scripts of one shared capacity, bound to its client, keys and settings: every call passes
 * the same KEYS and ARGV[1..4] (prefix, capacity, TTL, epoch guard), followed by its own arguments.
 */
export class LeaseScripts {
  readonly #redis: Redis;
  readonly #keys: readonly string[];
  readonly #args: readonly (string | number)[];

  constructor(redis: Redis, keys: CapacityKeys, capacity: number, leaseTtl: number, epochGuard: boolean) {
    this.#redis = redis;
    this.#keys = keys.script;
    this.#args = [keys.prefix, capacity, leaseTtl, epochGuard ? 1 : 0];
  }

  /**
   * Takes a free slot for `waiter`, or queues it (its place kept for `keepPlaceFor` ms): `[token, 0, 0]`
   * or `[0, ms to wait at most, 1 when it was queued now]`.
   */
  acquire(waiter: string, keepPlaceFor: number): Promise<[token: number, wait: number, queued: number]> {
    return acquireScript.run(this.#redis, this.#keys, [...this.#args, waiter, keepPlaceFor]) as Promise<
      [number, number, number]
    >;
  }

  /** Frees the slot of lease `token`, handing it to the first waiter, if any. */
  release(token: number): Promise<unknown> {
    return releaseScript.run(this.#redis, this.#keys, [...this.#args, token]);
  }

  /** Extends the leases `tokens` to a full TTL from now; resolves to those already expired or gone. */
  renew(tokens: readonly number[]): Promise<string[]> {
    return renewScript.run(this.#redis, this.#keys, [...this.#args, ...tokens]) as Promise<string[]>;
  }
}
