import type { ServiceLoad } from '../../core/serviceLoad.js';
import type { CreditStreamEvent } from './creditStream.js';

/** The credit stream's `leased` phase: what the server leased this client. */
export interface Leased {
  readonly kind: 'leased';
  readonly lease: string;
  credit: number;
  share: number;
  /** Calls ended without an answer since the lease came: `credit` may be short (never too large). */
  uncertain: boolean;
}

/**
 * The credit stream's phases, and what the client knows of its room in each:
 * - `unwatched`: `credits$` has no subscriber; `reconnecting`: the stream failed and waits to try
 *   again. The room is learned from the answers' `X-Capacity` and `X-Active`, at least 1 while no
 *   call is in flight (one call goes out to find out): 503s can happen.
 * - `connecting`: the first connection since `credits$` was subscribed, or one replacing a lease whose
 *   credit became uncertain: no room until the lease comes.
 * - `leased`: the server leased this client `credit` calls; exact, or short by the calls that ended
 *   without an answer (`uncertain`) until the client re-learns it.
 */
type StreamPhase =
  | { readonly kind: 'unwatched' }
  | { readonly kind: 'connecting' }
  | { readonly kind: 'reconnecting' }
  | Leased;

const unwatched: StreamPhase = { kind: 'unwatched' };
const connecting: StreamPhase = { kind: 'connecting' };
const reconnecting: StreamPhase = { kind: 'reconnecting' };

/**
 * What a `RemoteService` believes of the room the server has for it: the phase of its credit stream,
 * the room last learned from an answer, and its calls in flight. Pure bookkeeping — no I/O, no events;
 * the `LeaseClient` that owns it compares `usable()` before and after each change to announce rises.
 */
export class RoomEstimate {
  #phase: StreamPhase = unwatched;
  /** Without a lease: the room as last learned from an answer, less the calls sent since. */
  #room: number | undefined;
  #inFlight = 0;

  /** The share of the server's capacity leased to this client, or `undefined` without a lease. */
  get share(): number | undefined {
    return this.#phase.kind === 'leased' ? this.#phase.share : undefined;
  }

  /** `credits$` lost its last subscriber. */
  toUnwatched(): void {
    this.#phase = unwatched;
  }

  /** The credit stream connects, for the first time or to replace an uncertain lease. */
  toConnecting(): void {
    this.#phase = connecting;
  }

  /** The credit stream failed and waits to try again. */
  toReconnecting(): void {
    this.#phase = reconnecting;
  }

  /** The room `isReady()` tests: see `RemoteService`. */
  usable(): number {
    const phase = this.#phase;
    switch (phase.kind) {
      case 'connecting':
        return 0;
      case 'leased':
        return phase.credit;
      default:
        return Math.max(this.#inFlight === 0 ? 1 : 0, this.#room ?? 0);
    }
  }

  /** A call goes out: it spends one credit of the lease it returns, or one of the learned room. */
  send(): Leased | undefined {
    this.#inFlight++;
    const phase = this.#phase;
    if (phase.kind === 'leased') {
      if (phase.credit > 0) phase.credit--;
      return phase;
    }
    if (this.#room !== undefined) this.#room--;
    return undefined;
  }

  /**
   * A call was answered (its `status` and the `load` it carried) or failed without an answer
   * (`status` undefined). `leased`: the lease it spent credit of. A leased call's credit changes only by
   * the lease's events: the server gives a slot back, when it frees, to whoever is below its share.
   */
  answered(status: number | undefined, load: ServiceLoad | undefined, leased: Leased | undefined): void {
    this.#inFlight--;
    if (status === undefined) {
      // Aborted or failed on the way: the server may have admitted the call (its freed slot will be
      // granted back) or never seen it (its credit stays unspent there). The credit may be short.
      if (leased !== undefined) leased.uncertain = true;
      return;
    }
    if (load !== undefined) {
      this.#room = load.capacity - load.active;
    } else if (leased === undefined && ranNoWork(status) && this.#room !== undefined) {
      // A 503 or a 4xx ran no work, so no load header gives back what do() took.
      this.#room++;
    }
  }

  /** Whether the lease's credit may be short and no call is in flight, so a new lease would tell it exactly. */
  mustRelearn(): boolean {
    const phase = this.#phase;
    return phase.kind === 'leased' && phase.uncertain && this.#inFlight === 0;
  }

  /** An event of the credit stream. */
  heard(event: CreditStreamEvent): void {
    const phase = this.#phase;
    if (event.kind === 'lease') {
      this.#phase = { kind: 'leased', lease: event.lease, credit: 0, share: 0, uncertain: false };
    } else if (phase.kind === 'leased') {
      if (event.kind === 'share') phase.share = event.share;
      else if (event.kind === 'credit') phase.credit += event.amount;
      else phase.credit = Math.max(0, phase.credit - event.amount);
    }
  }
}

/**
 * Whether an answer says the server refused the call before it took a slot: at capacity (503) or a
 * bad request (4xx), as `handshakeHandler` answers them.
 */
function ranNoWork(status: number): boolean {
  return status === 503 || (status >= 400 && status < 500);
}
