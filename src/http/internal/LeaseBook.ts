import { randomUUID } from 'node:crypto';
import { type Observable, type SchedulerLike, Subscription } from 'rxjs';
import { reportUnhandledError } from '../../internal/reportUnhandledError.js';
import { subscribeSafely } from '../../internal/subscribeSafely.js';

/** Where a lease's later events go: its credit stream. */
export interface LeaseChannel {
  /** `credit`, `revoke` (counts) or `share` (a number of slots, maybe fractional). */
  send(event: 'credit' | 'revoke' | 'share', value: number): void;
  /** The stream cannot go on (the provider's credits$ failed or ended): close it. */
  end(): void;
}

/** One connected credit-stream client: what it was granted and what it runs. */
export class Lease {
  readonly id = randomUUID();
  readonly channel: LeaseChannel;
  /** Granted to the client and not yet used by a `POST /do`. */
  credit = 0;
  /** Calls admitted on this lease that have not settled. */
  running = 0;
  /** The share last announced. */
  share = 0;
  /** When it was last granted credit (a sequence number): the longest-waiting lease goes first on ties. */
  grantedAt = 0;
  /** Credit granted in this distribution round, sent as one event when the round ends. */
  granting = 0;

  constructor(channel: LeaseChannel) {
    this.channel = channel;
  }

  /** Slots this client holds: credit it may use and calls it runs. */
  get holding(): number {
    return this.credit + this.running;
  }
}

/**
 * How a `POST /do` was let in: on its lease's credit, from the unleased room, or (while no client
 * holds a lease) on the provider's word alone.
 */
export type LeaseAdmission =
  | { readonly kind: 'unleased' }
  | { readonly kind: 'pooled'; readonly phase: Leasing; pending: boolean }
  | { readonly kind: 'leased'; readonly phase: Leasing; readonly lease: Lease; pending: boolean };

/** The load a provider exposes (a TrackedService does): what the book's free room is checked against. */
export interface LeaseLoad {
  readonly capacity: number;
  readonly active: number;
}

/**
 * The book's phases. `idle`: no credit stream is open; the book does not listen to the provider and
 * admission is the provider's `isReady()` alone. `leasing`: at least one lease; the book listens to
 * `credits$` once, and `free` is the room the provider reported that no lease holds.
 */
type BookPhase = { readonly kind: 'idle' } | Leasing;
interface Leasing {
  readonly kind: 'leasing';
  readonly subscription: Subscription;
  free: number;
  /** Admissions whose work has not started yet (their body is being read): slots promised. */
  reserved: number;
  /** The pending take-back of unused credit above the shares, after a lease joined. */
  revoking: Subscription | undefined;
}

const idle: BookPhase = { kind: 'idle' };
const unleased: LeaseAdmission = { kind: 'unleased' };

/**
 * The server's side of the lease protocol: it leases the provider's capacity to the clients connected
 * to `/credits`. Every lease has an equal share (`capacity / leases`, maybe fractional); a freed slot
 * goes to the lease holding the least (credit + calls running) below its share, the one that waited
 * longest on ties, so fractional shares take turns. When a lease joins, the others above their share
 * keep their calls and credit, and the slots they free go to the newcomer: a busy client's credit turns
 * into calls within one call's time. Credit still unused `revokeAfter` ms later is taken back
 * (`revoke`) — later rather than at once, since a revoke races the calls the client is sending on that
 * credit, which would then meet a 503. A lease that leaves gives its credit back at once. Room no
 * lease is below its share for stays unleased, for calls without a lease.
 */
export class LeaseBook {
  readonly #credits: Observable<number>;
  /** The provider's load, when it exposes one; otherwise the book counts the room credits$ grants. */
  readonly #load: () => LeaseLoad | undefined;
  readonly #scheduler: SchedulerLike;
  readonly #revokeAfter: number;
  readonly #leases = new Map<string, Lease>();
  #phase: BookPhase = idle;
  #grants = 0;

  constructor(
    credits: Observable<number>,
    load: () => LeaseLoad | undefined,
    scheduler: SchedulerLike,
    revokeAfter: number,
  ) {
    this.#credits = credits;
    this.#load = load;
    this.#scheduler = scheduler;
    this.#revokeAfter = revokeAfter;
  }

  get size(): number {
    return this.#leases.size;
  }

  /** Unleased room while leasing (what calls without a lease may use); `undefined` while idle. */
  get free(): number | undefined {
    return this.#phase.kind === 'leasing' ? this.#phase.free : undefined;
  }

  /** The lease with this id, if it is open. */
  get(id: string): Lease | undefined {
    return this.#leases.get(id);
  }

  /**
   * Opens a lease: rebalances the shares, takes back what others hold above theirs, and grants the new
   * lease what is free. Returns it with its first credit and share set, for the `lease` event; `undefined`
   * when the provider's credits$ failed or ended at once (reported).
   */
  open(channel: LeaseChannel): Lease | undefined {
    const phase = this.#leasing();
    if (phase === undefined) return undefined;
    const lease = new Lease(channel);
    this.#leases.set(lease.id, lease);
    this.#rebalance(phase, lease);
    return lease;
  }

  /** Closes a lease (its stream ended): its unused credit goes back to the others at once. */
  close(lease: Lease): void {
    if (!this.#leases.delete(lease.id)) return;
    const phase = this.#phase;
    if (phase.kind === 'idle') return;
    if (this.#leases.size === 0) {
      phase.subscription.unsubscribe();
      this.#phase = idle;
      return;
    }
    phase.free += lease.credit;
    lease.credit = 0;
    this.#rebalance(phase, undefined);
  }

  /**
   * Lets a `POST /do` in, taking one slot: from the credit of the lease it names, else (no lease, an
   * unknown or closed one, or one out of credit) from the unleased room. `undefined`: no room.
   */
  admit(leaseId: string | undefined): LeaseAdmission | undefined {
    const phase = this.#phase;
    if (phase.kind === 'idle') return unleased;
    const lease = leaseId === undefined ? undefined : this.#leases.get(leaseId);
    if (lease !== undefined && lease.credit > 0) {
      lease.credit = subtractOne(lease.credit);
      lease.running++;
      phase.reserved++;
      return { kind: 'leased', phase, lease, pending: true };
    }
    this.#syncFree(phase);
    if (phase.free > 0) {
      phase.free = subtractOne(phase.free);
      phase.reserved++;
      return { kind: 'pooled', phase, pending: true };
    }
    return undefined;
  }

  /** The admitted call's work started: the provider counts its slot as active from now on. */
  started(admission: LeaseAdmission): void {
    if (admission.kind === 'unleased' || !admission.pending) return;
    admission.pending = false;
    admission.phase.reserved--;
  }

  /**
   * The admitted call is over. `ranWork`: the provider took the slot (it ran, or refused it), so the
   * freed slot, if any, comes back through credits$; otherwise (refused before the call: a bad body)
   * the slot is free again now.
   */
  release(admission: LeaseAdmission, ranWork: boolean): void {
    if (admission.kind === 'unleased') return;
    this.started(admission);
    if (admission.phase !== this.#phase) return;
    if (admission.kind === 'leased') admission.lease.running--;
    if (!ranWork) admission.phase.free++;
    this.#distribute(admission.phase);
  }

  #leasing(): Leasing | undefined {
    if (this.#phase.kind === 'leasing') return this.#phase;
    const phase: Leasing = {
      kind: 'leasing',
      subscription: new Subscription(),
      free: 0,
      reserved: 0,
      revoking: undefined,
    };
    this.#phase = phase;
    let failed = false;
    // The room granted during subscription is handed out by open(), once the new lease is set up.
    let subscribing = true;
    const fail = (error: unknown): void => {
      failed = true;
      this.#fail(phase, error);
    };
    // What credits$ grants during subscription is the free room now (a HandshakeProvider's contract).
    subscribeSafely(this.#credits, phase.subscription, {
      next: (grant) => {
        if (!isCount(grant)) {
          fail(
            new TypeError(
              `handshakeHandler(provider): credits$ must grant non-negative integers or Infinity, got ${String(grant)}.`,
            ),
          );
          return;
        }
        phase.free += grant;
        if (!subscribing && this.#phase === phase) this.#distribute(phase);
      },
      error: fail,
      // A provider whose credits$ ends has no more room to announce: the clients reconnect to ask again.
      complete: () => fail(undefined),
    });
    subscribing = false;
    return failed ? undefined : phase;
  }

  #fail(phase: Leasing, error: unknown): void {
    if (this.#phase !== phase) return;
    phase.subscription.unsubscribe();
    this.#phase = idle;
    const leases = [...this.#leases.values()];
    this.#leases.clear();
    for (const lease of leases) lease.channel.end();
    if (error !== undefined) reportUnhandledError(error);
  }

  /** A lease came or went: hand out room, and plan to take back unused credit above the new shares. */
  #rebalance(phase: Leasing, joined: Lease | undefined): void {
    if (joined !== undefined) {
      joined.grantedAt = ++this.#grants;
      if (phase.revoking === undefined && this.#leases.size > 1) {
        phase.revoking = this.#scheduler.schedule(() => {
          phase.revoking = undefined;
          this.#revoke(phase);
        }, this.#revokeAfter);
        phase.subscription.add(phase.revoking);
      }
    }
    this.#distribute(phase, joined);
  }

  /** Takes back unused credit above each share (running calls keep their slots), and hands it out. */
  #revoke(phase: Leasing): void {
    for (const lease of this.#leases.values()) {
      const excess = Math.min(lease.credit, Math.floor(lease.holding - lease.share));
      // An unbounded share (capacity Infinity) takes nothing back: Infinity - Infinity is NaN.
      if (!(excess > 0 && Number.isFinite(excess))) continue;
      lease.credit -= excess;
      phase.free += excess;
      lease.channel.send('revoke', excess);
    }
    this.#distribute(phase);
  }

  /**
   * With the provider's load known, the free room is what it has free less what the book promised
   * (credit and admissions not started): counting grants alone would count twice the slots of calls
   * made on the provider directly, not through the handler, and miss a capacity that shrank.
   */
  #syncFree(phase: Leasing): void {
    const load = this.#load();
    if (load === undefined) return;
    let promised = phase.reserved;
    for (const lease of this.#leases.values()) promised += lease.credit;
    phase.free = Math.max(0, load.capacity - load.active - promised);
  }

  /**
   * Sets every lease's share (the capacity, or the room the book accounts for when the provider
   * exposes none, divided among the leases), telling those whose share changed except `quiet`.
   */
  #refreshShares(phase: Leasing, quiet: Lease | undefined): void {
    let accounted = phase.free;
    for (const lease of this.#leases.values()) accounted += lease.holding;
    const share = (this.#load()?.capacity ?? accounted) / this.#leases.size;
    for (const lease of this.#leases.values()) {
      if (lease.share === share) continue;
      lease.share = share;
      if (lease !== quiet) lease.channel.send('share', share);
    }
  }

  /**
   * Hands the free room out, one slot at a time to the lease furthest below its share. `quiet` is a
   * lease whose grant is not sent as a `credit` event (its `lease` event carries it).
   */
  #distribute(phase: Leasing, quiet?: Lease): void {
    this.#syncFree(phase);
    this.#refreshShares(phase, quiet);
    if (phase.free === Number.POSITIVE_INFINITY) {
      for (const lease of this.#leases.values()) {
        if (lease.credit === Number.POSITIVE_INFINITY) continue;
        lease.credit = Number.POSITIVE_INFINITY;
        if (lease !== quiet) lease.channel.send('credit', Number.POSITIVE_INFINITY);
      }
      return;
    }
    const granted: Lease[] = [];
    while (phase.free > 0) {
      let neediest: Lease | undefined;
      for (const lease of this.#leases.values()) {
        if (lease.holding >= lease.share) continue;
        if (
          neediest === undefined ||
          lease.holding < neediest.holding ||
          (lease.holding === neediest.holding && lease.grantedAt < neediest.grantedAt)
        ) {
          neediest = lease;
        }
      }
      if (neediest === undefined) break;
      phase.free--;
      neediest.credit++;
      neediest.grantedAt = ++this.#grants;
      if (neediest.granting++ === 0) granted.push(neediest);
    }
    for (const lease of granted) {
      const amount = lease.granting;
      lease.granting = 0;
      if (lease !== quiet) lease.channel.send('credit', amount);
    }
  }
}

function isCount(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    value >= 0 &&
    (Number.isSafeInteger(value) || value === Number.POSITIVE_INFINITY)
  );
}

function subtractOne(count: number): number {
  return count === Number.POSITIVE_INFINITY ? count : count - 1;
}
