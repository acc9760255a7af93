import { BackpressureError } from 'rxjs-backpressure';
import type { Lease } from './Lease.js';
import type { LeaseScripts } from './LeaseScripts.js';

/**
 * The leases one `DistributedCapacity` holds in this process, idle or running, and their upkeep: all
 * renewed every quarter of the TTL while any is held; idle ones released when no call takes them by the
 * next macrotask; one found lost taken out of use at once, its call aborted with `ERR_LEASE_LOST`
 * before the server can hand the slot to someone else.
 */
export class HeldLeases {
  readonly #scripts: LeaseScripts;
  readonly #ttl: number;
  readonly #idle: Lease[] = [];
  readonly #running = new Set<Lease>();
  #renewTimer: ReturnType<typeof setInterval> | undefined;
  #releaseTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(scripts: LeaseScripts, leaseTtl: number) {
    this.#scripts = scripts;
    this.#ttl = leaseTtl;
  }

  /** Leases held here and not at work. */
  get idle(): number {
    return this.#idle.length;
  }

  /** Calls running here, each on a lease. */
  get running(): number {
    return this.#running.size;
  }

  /** Puts an idle lease to work for a call; `undefined` when none is idle. */
  take(): Lease | undefined {
    const lease = this.#idle.pop();
    if (lease !== undefined) this.#running.add(lease);
    return lease;
  }

  /** The call on `lease` ended: it runs no more (and a lost lease is dropped for good). */
  settle(lease: Lease): void {
    this.#running.delete(lease);
    lease.controller = undefined;
    if (lease.lost) this.#stopRenewingIfEmpty();
  }

  /** Makes `lease` idle here, renewed, and released if no call takes it by the next macrotask. */
  offer(lease: Lease): void {
    this.#idle.push(lease);
    this.#releaseTimer ??= setTimeout(() => {
      this.#releaseTimer = undefined;
      this.releaseIdle();
    });
    this.#keepRenewing();
  }

  releaseIdle(): void {
    for (const idle of this.#idle.splice(0)) this.release(idle.token);
  }

  /** Frees the slot of the lease `token`, which is no longer held here. */
  release(token: number): void {
    this.#stopRenewingIfEmpty();
    // A release that fails leaves the lease to expire on its own, within leaseTtl.
    this.#scripts.release(token).catch(() => {});
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
      lost = await this.#scripts.renew(live.map((lease) => lease.token));
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
