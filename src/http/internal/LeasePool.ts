import { type SchedulerLike, Subscription } from 'rxjs';
import type { ServiceLoad } from '../../core/serviceLoad.js';
import type { Lease } from './Lease.js';

/** What every pool of one book is run by. */
export interface LeaseTerms {
  /** The provider's load, when it exposes one; otherwise a pool counts the room credits$ grants. */
  readonly load: () => ServiceLoad | undefined;
  /** Where the delayed take-back of unused credit runs. */
  readonly scheduler: SchedulerLike;
  /** Milliseconds after a lease joins before unused credit above the shares is taken back. */
  readonly revokeAfter: number;
}

/**
 * How a `POST /do` was let in: on its lease's credit, from the unleased room, or (while no client
 * holds a lease) on the provider's word alone.
 */
export type LeaseAdmission =
  | { readonly kind: 'unleased' }
  | { readonly kind: 'pooled'; readonly pool: LeasePool; pending: boolean }
  | { readonly kind: 'leased'; readonly pool: LeasePool; readonly lease: Lease; pending: boolean };

function subtractOne(count: number): number {
  return count === Number.POSITIVE_INFINITY ? count : count - 1;
}

/**
 * The provider's capacity while at least one lease is open (the `leasing` phase of a `LeaseBook`):
 * the leases, the room no lease holds, and how a slot goes round. Every lease has an equal share
 * (`capacity / leases`, maybe fractional); a free slot goes to the lease holding the least (credit +
 * calls running) below its share, the one that waited longest on ties, so fractional shares take turns.
 * When a lease joins, unused credit still above the new shares `revokeAfter` ms later is taken back.
 */
export class LeasePool {
  /** The book's subscription to the provider's credits$, and the pending take-back: ended with the pool. */
  readonly subscription = new Subscription();
  /** Room the provider reported that no lease holds. */
  free = 0;
  /** Admissions whose work has not started yet (their body is being read): slots promised. */
  reserved = 0;
  readonly #terms: LeaseTerms;
  readonly #leases = new Map<string, Lease>();
  #revoking: Subscription | undefined;
  #grants = 0;

  constructor(terms: LeaseTerms) {
    this.#terms = terms;
  }

  get size(): number {
    return this.#leases.size;
  }

  get(id: string): Lease | undefined {
    return this.#leases.get(id);
  }

  /** The pool is over (credits$ failed or ended): every lease is taken out and its stream ended. */
  endLeases(): void {
    const leases = [...this.#leases.values()];
    this.#leases.clear();
    for (const lease of leases) lease.channel.end();
  }

  /**
   * Adds a lease: it is granted what is free now without a `credit` event (its `lease` event carries
   * it), and unused credit the others hold above their new shares is planned to be taken back.
   */
  join(lease: Lease): void {
    this.#leases.set(lease.id, lease);
    lease.grantedAt = ++this.#grants;
    if (this.#revoking === undefined && this.#leases.size > 1) {
      this.#revoking = this.#terms.scheduler.schedule(() => {
        this.#revoking = undefined;
        this.#revoke();
      }, this.#terms.revokeAfter);
      this.subscription.add(this.#revoking);
    }
    this.distribute(lease);
  }

  /** Takes a lease out; while others remain, its unused credit goes to them at once. */
  leave(lease: Lease): boolean {
    if (!this.#leases.delete(lease.id)) return false;
    if (this.#leases.size === 0) return true;
    this.free += lease.credit;
    lease.credit = 0;
    this.distribute();
    return true;
  }

  /** Takes one slot: from the credit of `lease`, else from the free room. `undefined`: no room. */
  admit(lease: Lease | undefined): LeaseAdmission | undefined {
    if (lease !== undefined && lease.credit > 0) {
      lease.credit = subtractOne(lease.credit);
      lease.running++;
      this.reserved++;
      return { kind: 'leased', pool: this, lease, pending: true };
    }
    this.#syncFree();
    if (this.free > 0) {
      this.free = subtractOne(this.free);
      this.reserved++;
      return { kind: 'pooled', pool: this, pending: true };
    }
    return undefined;
  }

  /** An admitted call is over; `ranWork` as `LeaseBook.release` says. */
  settle(admission: Exclude<LeaseAdmission, { kind: 'unleased' }>, ranWork: boolean): void {
    if (admission.kind === 'leased') admission.lease.running--;
    if (!ranWork) this.free++;
    this.distribute();
  }

  /**
   * Hands the free room out, one slot at a time to the lease furthest below its share. `quiet` is a
   * lease whose grant is not sent as a `credit` event (its `lease` event carries it).
   */
  distribute(quiet?: Lease): void {
    this.#syncFree();
    this.#refreshShares(quiet);
    if (this.free === Number.POSITIVE_INFINITY) {
      for (const lease of this.#leases.values()) {
        if (lease.credit === Number.POSITIVE_INFINITY) continue;
        lease.credit = Number.POSITIVE_INFINITY;
        if (lease !== quiet) lease.channel.send('credit', Number.POSITIVE_INFINITY);
      }
      return;
    }
    const granted: Lease[] = [];
    while (this.free > 0) {
      const neediest = this.#neediest();
      if (neediest === undefined) break;
      this.free--;
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

  /** The lease furthest below its share, the longest waiting on ties; none when all hold their share. */
  #neediest(): Lease | undefined {
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
    return neediest;
  }

  /** Takes back unused credit above each share (running calls keep their slots), and hands it out. */
  #revoke(): void {
    for (const lease of this.#leases.values()) {
      const excess = Math.min(lease.credit, Math.floor(lease.holding - lease.share));
      // An unbounded share (capacity Infinity) takes nothing back: Infinity - Infinity is NaN.
      if (!(excess > 0 && Number.isFinite(excess))) continue;
      lease.credit -= excess;
      this.free += excess;
      lease.channel.send('revoke', excess);
    }
    this.distribute();
  }

  /**
   * With the provider's load known, the free room is what it has free less what the pool promised
   * (credit and admissions not started): counting grants alone would count twice the slots of calls
   * made on the provider directly, not through the handler, and miss a capacity that shrank.
   */
  #syncFree(): void {
    const load = this.#terms.load();
    if (load === undefined) return;
    let promised = this.reserved;
    for (const lease of this.#leases.values()) promised += lease.credit;
    this.free = Math.max(0, load.capacity - load.active - promised);
  }

  /**
   * Sets every lease's share (the capacity, or the room the pool accounts for when the provider
   * exposes none, divided among the leases), telling those whose share changed except `quiet`.
   */
  #refreshShares(quiet: Lease | undefined): void {
    let accounted = this.free;
    for (const lease of this.#leases.values()) accounted += lease.holding;
    const share = (this.#terms.load()?.capacity ?? accounted) / this.#leases.size;
    for (const lease of this.#leases.values()) {
      if (lease.share === share) continue;
      lease.share = share;
      if (lease !== quiet) lease.channel.send('share', share);
    }
  }
}
