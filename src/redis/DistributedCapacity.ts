import { Observable, type Subscriber } from 'rxjs';
import { type HandshakeProvider, ServiceAtCapacityError } from 'rxjs-backpressure';
import { describeValue } from '../core/validation.js';
import { AbortListeners } from '../internal/AbortListeners.js';
import { isAbortSignal } from '../internal/isAbortSignal.js';
import type { DistributedCapacityOptions } from './DistributedCapacityOptions.js';
import { HeldLeases } from './internal/HeldLeases.js';
import type { Lease } from './internal/Lease.js';
import { LeaseQueue } from './internal/LeaseQueue.js';
import { LeaseScripts } from './internal/LeaseScripts.js';
import { type CapacitySettings, resolveCapacityOptions } from './internal/resolveCapacityOptions.js';

/**
 * A {@link HandshakeProvider} whose capacity is shared by every process that uses the same Redis `key`:
 * at most `capacity` calls run at once across all of them, each holding a lease.
 *
 * - **Leases** live in a sorted set scored by expiry in the server's clock (`TIME`, never the
 *   processes'), taken and freed by Lua scripts, so check-and-take is one atomic step. Each carries a
 *   fencing token (`INCR`), handed to the handler.
 * - **`isReady()`** answers from the leases this process holds and has not put to work (no I/O). When
 *   it answers `false`, one background acquire starts (never more than one at a time); `credits$`
 *   grants one credit per lease obtained, so `withHandshake` sends the next item then.
 * - **Fair wake-up**: a process that finds no free slot joins a FIFO queue in Redis and blocks on a key
 *   of its own (`BLPOP`); a freed slot is handed, as a new lease, to the first waiter still alive:
 *   one waiter per slot, never a broadcast, so a saturated service stays busy without a storm of
 *   refused attempts.
 * - **Reuse**: a lease whose call ended is offered again on `credits$`; this process keeps it for its
 *   queued work for at most `reuseFor` ms since it was obtained, then hands the slot back.
 * - **Renewal and loss**: leases are renewed every `leaseTtl / 4` while held. A lease found expired or
 *   gone, or not renewed within three quarters of `leaseTtl` (the server unreachable), is lost: its
 *   call's signal aborts with `ERR_LEASE_LOST`, before the server can hand the slot to someone else.
 * - **Epoch guard**: see `epochGuard`. The first use of a `key` on a server waits one `leaseTtl`.
 *
 * `do(req, signal?)` refuses at once with a `ServiceAtCapacityError` when no idle lease is held here
 * (so ask `isReady()` first, as `withHandshake` does). `close()` releases every idle lease, stops
 * acquiring and closes the second connection; running calls keep their leases until they settle.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { range } from 'rxjs';
 * import { withHandshake } from 'rxjs-backpressure';
 * import { DistributedCapacity } from 'rxjs-backpressure/redis';
 *
 * const redis = new Redis();
 * redis.on('error', (error) => console.error(error));
 * // At most 8 geocoding calls at once, across every process running this.
 * const geocoder = new DistributedCapacity({
 *   redis,
 *   key: 'capacity:geocoder',
 *   capacity: 8,
 *   handler: async (address: string, signal) =>
 *     (await fetch(`http://geo.internal/?q=${encodeURIComponent(address)}`, { signal })).json(),
 * });
 * range(0, 100)
 *   .pipe(withHandshake(geocoder, { bufferSize: 100 }))
 *   .subscribe({ complete: () => geocoder.close() });
 * ```
 */
export class DistributedCapacity<Req, Res> implements HandshakeProvider<Req, Res> {
  /**
   * One credit per lease obtained or freed for reuse, and one when a call ended and its lease went back
   * (a hint to ask `isReady()` again, which queues for a slot); on subscription, the idle leases held.
   */
  readonly credits$: Observable<number>;

  readonly #settings: CapacitySettings<Req, Res>;
  readonly #leases: HeldLeases;
  readonly #queue: LeaseQueue;
  readonly #aborts = new AbortListeners();
  #subscribers: readonly Subscriber<number>[] = [];
  #acquiring = false;
  #closed = false;
  #acquired = 0;

  constructor(options: DistributedCapacityOptions<Req, Res>) {
    const settings = resolveCapacityOptions(options);
    const { redis, keys, capacity, leaseTtl } = settings;
    const scripts = new LeaseScripts(redis, keys, capacity, leaseTtl, settings.epochGuard);
    this.#settings = settings;
    this.#leases = new HeldLeases(scripts, leaseTtl);
    this.#queue = new LeaseQueue(redis, keys, scripts, leaseTtl);
    this.credits$ = new Observable<number>((subscriber) => {
      this.#subscribers = [...this.#subscribers, subscriber];
      if (this.#leases.idle > 0) subscriber.next(this.#leases.idle);
      return () => {
        this.#subscribers = this.#subscribers.filter((other) => other !== subscriber);
      };
    });
  }

  /** How many calls may run at once across every process. */
  get capacity(): number {
    return this.#settings.capacity;
  }

  /** Calls running in this process. */
  get active(): number {
    return this.#leases.running;
  }

  /** Leases obtained by this process so far. */
  get acquired(): number {
    return this.#acquired;
  }

  /**
   * Acquires of this process that found no free slot and queued it (asking again while queued keeps
   * its place and is not counted): the fewer per lease acquired, the less contention.
   */
  get refused(): number {
    return this.#queue.refused;
  }

  /**
   * Whether this process holds an idle lease for one more call. No I/O; when it answers `false`, it
   * starts one background acquire (unless one is under way), announced on `credits$` when it succeeds.
   */
  isReady(): boolean {
    if (this.#leases.idle > 0) return true;
    if (!this.#acquiring && !this.#closed) {
      this.#acquiring = true;
      void this.#queue.next().then((lease) => this.#obtained(lease));
    }
    return false;
  }

  /**
   * Runs `handler(req, signal, token)` on an idle lease, renewed while it runs; rejects at once with a
   * `ServiceAtCapacityError` when there is none, with the signal's reason when it is already aborted.
   */
  do(req: Req, signal?: AbortSignal): Promise<Res> {
    if (signal !== undefined && !isAbortSignal(signal)) {
      throw new TypeError(`do(req, signal): signal must be an AbortSignal, got ${describeValue(signal)}.`);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const lease = this.#leases.take();
    if (lease === undefined) {
      return Promise.reject(
        new ServiceAtCapacityError({ capacity: this.#settings.capacity, active: this.#leases.running }),
      );
    }
    const controller = new AbortController();
    lease.controller = controller;
    return this.#run(lease, req, controller, signal);
  }

  async #run(
    lease: Lease,
    req: Req,
    controller: AbortController,
    signal: AbortSignal | undefined,
  ): Promise<Res> {
    const forward = (): void => controller.abort(signal?.reason);
    if (signal !== undefined) this.#aborts.add(signal, forward);
    try {
      return await this.#settings.handler(req, controller.signal, lease.token);
    } finally {
      if (signal !== undefined) this.#aborts.delete(signal, forward);
      this.#settled(lease);
    }
  }

  /**
   * Releases the idle leases, stops acquiring and renewing idle ones, and closes the wake-up
   * connection. Calls still running keep their leases (renewed) until they settle, then release them.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#leases.releaseIdle();
    void this.#queue.leave().then((handed) => {
      for (const token of handed) this.#leases.release(token);
    });
  }

  #settled(lease: Lease): void {
    this.#leases.settle(lease);
    if (lease.lost) {
      this.#announce();
      return;
    }
    if (this.#closed || Date.now() - lease.acquiredAt >= this.#settings.reuseFor) {
      this.#leases.release(lease.token);
      // A hint, not a lease: whoever has more work asks isReady(), which queues for a slot again.
      this.#announce();
      return;
    }
    this.#offer(lease);
  }

  /** Makes `lease` idle here (for a call that takes it by the next macrotask) and tells `credits$`. */
  #offer(lease: Lease): void {
    this.#leases.offer(lease);
    this.#announce();
  }

  /** One credit on `credits$`. */
  #announce(): void {
    for (const subscriber of this.#subscribers) subscriber.next(1);
  }

  /**
   * Ends the acquire, and only then offers the lease: a call the offer starts may end at once and ask
   * `isReady()` for the next lease, which must start an acquire of its own.
   */
  #obtained(lease: Lease | undefined): void {
    this.#acquiring = false;
    if (lease === undefined) return;
    this.#acquired++;
    if (this.#closed) {
      this.#leases.release(lease.token);
      return;
    }
    this.#offer(lease);
  }
}
