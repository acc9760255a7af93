import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { backoffDelay } from '../../internal/backoffDelay.js';
import type { CapacityKeys } from './capacityKeys.js';
import type { Lease } from './Lease.js';
import type { LeaseScripts } from './LeaseScripts.js';
import { redisRetryBackoff } from './redisRetryBackoff.js';

/**
 * Longest wait for a wake-up before asking again, which keeps this process's place in the queue (it
 * lives four times as long) and finds it queued afresh after a server restart lost the queue.
 */
const maxWait = 250;

function leaseOf(token: number, deadline: number): Lease {
  return { token, deadline, acquiredAt: Date.now(), controller: undefined, lost: false };
}

/**
 * This process's place in the fair queue of one shared capacity: an acquire that finds no free slot
 * queues, then waits for a wake-up (`BLPOP` on a key of its own, on a connection of its own), by which
 * a released slot is handed, as a new lease, to the first waiter still alive.
 */
export class LeaseQueue {
  readonly #redis: Redis;
  readonly #keys: CapacityKeys;
  readonly #scripts: LeaseScripts;
  readonly #ttl: number;
  readonly #waiter = randomUUID();
  /** The connection that waits for wake-ups, opened on the first wait. */
  #blocker: Redis | undefined;
  #refused = 0;
  #left = false;

  constructor(redis: Redis, keys: CapacityKeys, scripts: LeaseScripts, leaseTtl: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#scripts = scripts;
    this.#ttl = leaseTtl;
  }

  /** Acquires that found no free slot and queued this process (asking again while queued does not count). */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Acquires until a lease is obtained, in turn or handed over, trying an unreachable server again
   * with backoff; resolves to `undefined` once this process left the queue.
   */
  async next(): Promise<Lease | undefined> {
    let attempt = 0;
    let delay = redisRetryBackoff.initialDelay;
    while (!this.#left) {
      try {
        const lease = await this.#acquire();
        if (lease !== undefined) return lease;
        attempt = 0;
      } catch {
        if (this.#left) break;
        attempt++;
        delay = backoffDelay(redisRetryBackoff, attempt, delay, Math.random);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    return undefined;
  }

  /** One acquire, and one wait for a wake-up if it was queued: the lease obtained, or `undefined`. */
  async #acquire(): Promise<Lease | undefined> {
    const sentAt = Date.now();
    const [token, wait, queued] = await this.#scripts.acquire(this.#waiter, 4 * maxWait);
    if (token > 0) return leaseOf(token, sentAt + (this.#ttl * 3) / 4);
    if (queued === 1) this.#refused++;
    // Left while the script ran: a wake-up connection opened now would never be closed.
    if (this.#left) return undefined;
    if (this.#blocker === undefined) {
      this.#blocker = this.#redis.duplicate();
      this.#blocker.on('error', () => {});
    }
    const seconds = Math.min(Math.max(wait, 10), maxWait) / 1000;
    const woken = (await this.#blocker.call('BLPOP', [this.#keys.wake(this.#waiter), seconds])) as
      | [string, string]
      | null;
    if (woken === null) return undefined;
    // Handed over by a release: its expiry was set then, a moment ago; assume the least of it left.
    return leaseOf(Number(woken[1]), Date.now() + this.#ttl / 2);
  }

  /**
   * Ends `next()`, closes the wake-up connection and takes this process out of the queue; resolves to
   * the tokens of leases handed to it meanwhile, which are its to release.
   */
  async leave(): Promise<readonly number[]> {
    this.#left = true;
    this.#blocker?.disconnect();
    this.#blocker = undefined;
    try {
      // Without its marker the queue entry is skipped, so no slot is handed to a process gone.
      await this.#redis.call('DEL', [this.#keys.waiter(this.#waiter)]);
      const handed = (await this.#redis.call('LPOP', [this.#keys.wake(this.#waiter), 100])) as
        | string[]
        | null;
      return (handed ?? []).map(Number);
    } catch {
      // Unreachable: the queue entry and any lease handed over expire on their own.
      return [];
    }
  }
}
