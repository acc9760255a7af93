import type { Observable } from 'rxjs';
import { reportUnhandledError } from '../../internal/reportUnhandledError.js';
import { subscribeSafely } from '../../internal/subscribeSafely.js';
import { isCount } from './isCount.js';
import { Lease, type LeaseChannel } from './Lease.js';
import { type LeaseAdmission, LeasePool, type LeaseTerms } from './LeasePool.js';

const unleased: LeaseAdmission = { kind: 'unleased' };

/**
 * The server's side of the lease protocol: it leases the provider's capacity to the clients connected
 * to `/credits`, in two phases. `idle`: no credit stream is open; the book does not listen to the
 * provider and admission is the provider's `isReady()` alone. `leasing`: at least one lease; the book
 * listens to `credits$` once, and a {@link LeasePool} shares the room among the leases. When a lease
 * joins, the others above their share keep their calls and credit, and the slots they free go to the
 * newcomer: a busy client's credit turns into calls within one call's time. Credit still unused
 * `revokeAfter` ms later is taken back (`revoke`) — later rather than at once, since a revoke races the
 * calls the client is sending on that credit, which would then meet a 503. A lease that leaves gives
 * its credit back at once. Room no lease is below its share for stays unleased, for calls without a
 * lease.
 */
export class LeaseBook {
  readonly #credits: Observable<number>;
  readonly #terms: LeaseTerms;
  /** The `leasing` phase; `undefined` while `idle`. */
  #pool: LeasePool | undefined;

  constructor(credits: Observable<number>, terms: LeaseTerms) {
    this.#credits = credits;
    this.#terms = terms;
  }

  get size(): number {
    return this.#pool?.size ?? 0;
  }

  /** Unleased room while leasing (what calls without a lease may use); `undefined` while idle. */
  get free(): number | undefined {
    return this.#pool?.free;
  }

  /** The lease with this id, if it is open. */
  get(id: string): Lease | undefined {
    return this.#pool?.get(id);
  }

  /**
   * Opens a lease: rebalances the shares, takes back what others hold above theirs, and grants the new
   * lease what is free. Returns it with its first credit and share set, for the `lease` event; `undefined`
   * when the provider's credits$ failed or ended at once (reported).
   */
  open(channel: LeaseChannel): Lease | undefined {
    const pool = this.#pool ?? this.#startLeasing();
    if (pool === undefined) return undefined;
    const lease = new Lease(channel);
    pool.join(lease);
    return lease;
  }

  /** Closes a lease (its stream ended): its unused credit goes back to the others at once. */
  close(lease: Lease): void {
    const pool = this.#pool;
    if (pool === undefined || !pool.leave(lease) || pool.size > 0) return;
    pool.subscription.unsubscribe();
    this.#pool = undefined;
  }

  /**
   * Lets a `POST /do` in, taking one slot: from the credit of the lease it names, else (no lease, an
   * unknown or closed one, or one out of credit) from the unleased room. `undefined`: no room.
   */
  admit(leaseId: string | undefined): LeaseAdmission | undefined {
    const pool = this.#pool;
    if (pool === undefined) return unleased;
    return pool.admit(leaseId === undefined ? undefined : pool.get(leaseId));
  }

  /** The admitted call's work started: the provider counts its slot as active from now on. */
  started(admission: LeaseAdmission): void {
    if (admission.kind === 'unleased' || !admission.pending) return;
    admission.pending = false;
    admission.pool.reserved--;
  }

  /**
   * The admitted call is over. `ranWork`: the provider took the slot (it ran, or refused it), so the
   * freed slot, if any, comes back through credits$; otherwise (refused before the call: a bad body)
   * the slot is free again now.
   */
  release(admission: LeaseAdmission, ranWork: boolean): void {
    if (admission.kind === 'unleased') return;
    this.started(admission);
    if (admission.pool === this.#pool) admission.pool.settle(admission, ranWork);
  }

  /** From `idle` to `leasing`: subscribes to credits$; `undefined` when it failed or ended at once. */
  #startLeasing(): LeasePool | undefined {
    const pool = new LeasePool(this.#terms);
    this.#pool = pool;
    let failed = false;
    // The room granted during subscription is handed out by open(), once the new lease is set up.
    let subscribing = true;
    const fail = (error: unknown): void => {
      failed = true;
      this.#fail(pool, error);
    };
    // What credits$ grants during subscription is the free room now (a HandshakeProvider's contract).
    subscribeSafely(this.#credits, pool.subscription, {
      next: (grant) => {
        if (!isCount(grant)) {
          fail(
            new TypeError(
              `handshakeHandler(provider): credits$ must grant non-negative integers or Infinity, got ${String(grant)}.`,
            ),
          );
          return;
        }
        pool.free += grant;
        if (!subscribing && this.#pool === pool) pool.distribute();
      },
      error: fail,
      // A provider whose credits$ ends has no more room to announce: the clients reconnect to ask again.
      complete: () => fail(undefined),
    });
    subscribing = false;
    return failed ? undefined : pool;
  }

  /** credits$ failed or ended: back to `idle`, closing every stream so its client reconnects. */
  #fail(pool: LeasePool, error: unknown): void {
    if (this.#pool !== pool) return;
    pool.subscription.unsubscribe();
    this.#pool = undefined;
    pool.endLeases();
    if (error !== undefined) reportUnhandledError(error);
  }
}
