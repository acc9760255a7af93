import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Observable, type Subscriber } from 'rxjs';
import { BackpressureError, type HandshakeProvider, ServiceAtCapacityError } from 'rxjs-backpressure';
import { AbortListeners } from '../internal/AbortListeners.js';
import { type BackoffPolicy, backoffDelay } from '../internal/backoffDelay.js';
import { booleanOption } from '../internal/booleanOption.js';
import { describeValue } from '../internal/describeValue.js';
import { isAbortSignal } from '../internal/isAbortSignal.js';
import { numberOption } from '../internal/numberOption.js';
import { optionsObject, refuseUnknownKeys } from '../internal/resolveBufferOptions.js';
import { acquireScript, releaseScript, renewScript } from './internal/capacityScripts.js';
import { checkClient } from './internal/checkClient.js';

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

/** A lease this process holds: running a call (`controller` set) or idle, ready for the next call. */
interface Lease {
  readonly token: number;
  /** When it is first possible that the server let it expire (`Date.now()`), unless renewed before. */
  deadline: number;
  readonly acquiredAt: number;
  controller: AbortController | undefined;
  /** Found expired or gone: its slot may be someone else's now, so it is never released or reused. */
  lost: boolean;
}

const optionKeys = ['redis', 'key', 'capacity', 'handler', 'leaseTtl', 'reuseFor', 'epochGuard'];
const retryBackoff: BackoffPolicy = { initialDelay: 50, maxDelay: 2_000, factor: 2, jitter: 'full' };
/**
 * Longest wait for a wake-up before asking again, which keeps this process's place in the queue (it
 * lives four times as long) and finds it queued afresh after a server restart lost the queue.
 */
const maxWait = 250;

function keyOf(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`options.key must be a non-empty string, got ${describeValue(value)}.`);
  }
  return value;
}

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

  readonly #redis: Redis;
  readonly #handler: (req: Req, signal: AbortSignal, token: number) => Promise<Res> | Res;
  /** `[keys, args]` of every script call: the same for all of them but the last argument. */
  readonly #script: { readonly keys: readonly string[]; readonly args: readonly (string | number)[] };
  readonly #capacity: number;
  readonly #ttl: number;
  readonly #reuseFor: number;
  readonly #waiter = randomUUID();
  readonly #idle: Lease[] = [];
  readonly #running = new Set<Lease>();
  readonly #aborts = new AbortListeners();
  #subscribers: readonly Subscriber<number>[] = [];
  #acquiring = false;
  #closed = false;
  /** The connection that waits for wake-ups, opened on the first wait. */
  #blocker: Redis | undefined;
  #renewTimer: ReturnType<typeof setInterval> | undefined;
  #releaseTimer: ReturnType<typeof setTimeout> | undefined;
  #acquired = 0;
  #refused = 0;

  constructor(options: DistributedCapacityOptions<Req, Res>) {
    const given = optionsObject(options, 'options');
    refuseUnknownKeys(given, optionKeys, 'options');
    this.#redis = checkClient(given.redis, 'options.redis');
    const key = keyOf(given.key);
    this.#capacity = numberOption(
      given.capacity,
      'options.capacity',
      'a positive safe integer',
      (n) => Number.isSafeInteger(n) && n >= 1,
    );
    if (typeof given.handler !== 'function') {
      throw new TypeError(`options.handler must be a function, got ${describeValue(given.handler)}.`);
    }
    this.#handler = given.handler;
    this.#ttl = numberOption(
      given.leaseTtl ?? 10_000,
      'options.leaseTtl',
      'a positive integer of milliseconds',
      (n) => Number.isSafeInteger(n) && n >= 4,
    );
    this.#reuseFor = numberOption(
      given.reuseFor ?? 250,
      'options.reuseFor',
      'a non-negative integer of milliseconds',
      (n) => Number.isSafeInteger(n) && n >= 0,
    );
    const guard = booleanOption(given.epochGuard ?? true, 'options.epochGuard');
    const prefix = `{${key}}`;
    this.#script = {
      keys: [`${prefix}:leases`, `${prefix}:token`, `${prefix}:epoch`, `${prefix}:waiters`],
      args: [prefix, this.#capacity, this.#ttl, guard ? 1 : 0],
    };
    this.credits$ = new Observable<number>((subscriber) => {
      this.#subscribers = [...this.#subscribers, subscriber];
      if (this.#idle.length > 0) subscriber.next(this.#idle.length);
      return () => {
        this.#subscribers = this.#subscribers.filter((other) => other !== subscriber);
      };
    });
  }

  /** How many calls may run at once across every process. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Calls running in this process. */
  get active(): number {
    return this.#running.size;
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
    return this.#refused;
  }

  /**
   * Whether this process holds an idle lease for one more call. No I/O; when it answers `false`, it
   * starts one background acquire (unless one is under way), announced on `credits$` when it succeeds.
   */
  isReady(): boolean {
    if (this.#idle.length > 0) return true;
    if (!this.#acquiring && !this.#closed) {
      this.#acquiring = true;
      void this.#acquire();
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
    const lease = this.#idle.pop();
    if (lease === undefined) {
      return Promise.reject(
        new ServiceAtCapacityError({ capacity: this.#capacity, active: this.#running.size }),
      );
    }
    const controller = new AbortController();
    lease.controller = controller;
    this.#running.add(lease);
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
      return await this.#handler(req, controller.signal, lease.token);
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
    for (const lease of this.#idle.splice(0)) this.#release(lease.token);
    this.#blocker?.disconnect();
    this.#blocker = undefined;
    void this.#leaveQueue();
  }

  /** Takes this process out of the queue, and releases a lease handed to it meanwhile. */
  async #leaveQueue(): Promise<void> {
    const prefix = this.#script.args[0];
    try {
      // Without its marker the queue entry is skipped, so no slot is handed to a process gone.
      await this.#redis.call('DEL', [`${prefix}:waiter:${this.#waiter}`]);
      const handed = (await this.#redis.call('LPOP', [`${prefix}:wake:${this.#waiter}`, 100])) as
        | string[]
        | null;
      for (const token of handed ?? []) this.#release(Number(token));
    } catch {
      // Unreachable: the queue entry and any lease handed over expire on their own.
    }
  }

  #settled(lease: Lease): void {
    this.#running.delete(lease);
    lease.controller = undefined;
    if (lease.lost) {
      this.#stopRenewingIfEmpty();
      for (const subscriber of this.#subscribers) subscriber.next(1);
      return;
    }
    if (this.#closed || Date.now() - lease.acquiredAt >= this.#reuseFor) {
      this.#release(lease.token);
      // A hint, not a lease: whoever has more work asks isReady(), which queues for a slot again.
      for (const subscriber of this.#subscribers) subscriber.next(1);
      return;
    }
    this.#offer(lease);
  }

  /** Makes `lease` idle here, tells `credits$`, and releases it if no call takes it by the next macrotask. */
  #offer(lease: Lease): void {
    this.#idle.push(lease);
    this.#releaseTimer ??= setTimeout(() => {
      this.#releaseTimer = undefined;
      for (const idle of this.#idle.splice(0)) this.#release(idle.token);
    });
    this.#keepRenewing();
    for (const subscriber of this.#subscribers) subscriber.next(1);
  }

  #release(token: number): void {
    this.#stopRenewingIfEmpty();
    // A release that fails leaves the lease to expire on its own, within leaseTtl.
    releaseScript.run(this.#redis, this.#script.keys, [...this.#script.args, token]).catch(() => {});
  }

  #obtained(token: number, deadline: number): void {
    this.#acquired++;
    this.#acquiring = false;
    const lease: Lease = { token, deadline, acquiredAt: Date.now(), controller: undefined, lost: false };
    if (this.#closed) {
      this.#release(lease.token);
      return;
    }
    this.#offer(lease);
  }

  async #acquire(): Promise<void> {
    let attempt = 0;
    let delay = retryBackoff.initialDelay;
    while (!this.#closed) {
      try {
        // #obtained ends the acquire, before the lease is offered: a call it starts may end, and ask
        // for the next lease, before this loop would see it.
        if (await this.#tryAcquire()) return;
        attempt = 0;
      } catch {
        if (this.#closed) break;
        attempt++;
        delay = backoffDelay(retryBackoff, attempt, delay, Math.random);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    this.#acquiring = false;
  }

  /** One acquire, and one wait for a wake-up if it was queued; resolves whether a lease was obtained. */
  async #tryAcquire(): Promise<boolean> {
    const { keys, args } = this.#script;
    const sentAt = Date.now();
    const answer = (await acquireScript.run(this.#redis, keys, [...args, this.#waiter, 4 * maxWait])) as [
      number,
      number,
      number,
    ];
    const [token, wait, queued] = answer;
    if (token > 0) {
      this.#obtained(token, sentAt + (this.#ttl * 3) / 4);
      return true;
    }
    if (queued === 1) this.#refused++;
    if (this.#blocker === undefined) {
      this.#blocker = this.#redis.duplicate();
      this.#blocker.on('error', () => {});
    }
    const seconds = Math.min(Math.max(wait, 10), maxWait) / 1000;
    const woken = (await this.#blocker.call('BLPOP', [`${args[0]}:wake:${this.#waiter}`, seconds])) as
      | [string, string]
      | null;
    if (woken === null) return false;
    // Handed over by a release: its expiry was set then, a moment ago; assume the least of it left.
    this.#obtained(Number(woken[1]), Date.now() + this.#ttl / 2);
    return true;
  }

  #keepRenewing(): void {
    this.#renewTimer ??= setInterval(() => void this.#renew(), this.#ttl / 4);
    this.#renewTimer.unref?.();
  }

  #stopRenewingIfEmpty(): void {
    if (this.#renewTimer !== undefined && this.#idle.length === 0 && this.#running.size === 0) {
      clearInterval(this.#renewTimer);
      this.#renewTimer = undefined;
    }
  }

  async #renew(): Promise<void> {
    const now = Date.now();
    const held = [...this.#running, ...this.#idle];
    for (const lease of held) if (lease.deadline <= now) this.#lose(lease);
    const live = held.filter((lease) => !lease.lost);
    if (live.length === 0) return;
    let lost: string[];
    try {
      lost = (await renewScript.run(this.#redis, this.#script.keys, [
        ...this.#script.args,
        ...live.map((lease) => lease.token),
      ])) as string[];
    } catch {
      return; // Unreachable: the deadlines above abort the calls in time.
    }
    const gone = new Set(lost.map(Number));
    for (const lease of live) {
      if (gone.has(lease.token)) this.#lose(lease);
      else lease.deadline = now + (this.#ttl * 3) / 4;
    }
  }

  #lose(lease: Lease): void {
    lease.lost = true;
    const index = this.#idle.indexOf(lease);
    if (index >= 0) this.#idle.splice(index, 1);
    if (lease.controller !== undefined && !lease.controller.signal.aborted) {
      lease.controller.abort(
        new BackpressureError('ERR_LEASE_LOST', `The lease with fencing token ${lease.token} was lost.`),
      );
    }
    this.#stopRenewingIfEmpty();
  }
}
