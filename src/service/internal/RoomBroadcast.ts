import { Observable, type Subscriber } from 'rxjs';
import { LateAnnouncements } from './LateAnnouncements.js';

/**
 * The `credits$` of a {@link TrackedService}: a broadcast of free room, not a ledger of spendable
 * credit. Every subscriber receives, on subscription, the room there is then (room freed but not yet
 * broadcast or announced excepted, so it is never granted twice), then each grant as it falls due.
 * Grants that fall due while subscribers are being notified are delivered by the same loop, never by
 * recursion.
 *
 * Apart from the service because it is a concept of its own (who listens, what is still to say) that
 * only needs to read the room: the service owns the slots, this owns the listeners.
 */
export class RoomBroadcast {
  readonly credits$: Observable<number>;

  /** The service's free room now. */
  readonly #room: () => number;
  /** Replaced, never mutated, on (un)subscription, so a broadcast in progress walks a stable list. */
  #listeners: readonly Subscriber<number>[] = [];
  /** Room freed while a broadcast was running, handed out by that broadcast's loop. */
  #pending = 0;
  #broadcasting = false;
  /** Slots freed whose room is announced once their callers heard the outcome. */
  readonly #freed: LateAnnouncements;

  constructor(room: () => number) {
    this.#room = room;
    this.#freed = new LateAnnouncements(() => {
      if (room() > 0) this.grant(1);
    });
    this.credits$ = new Observable<number>((subscriber) => {
      this.#listeners = [...this.#listeners, subscriber];
      const now = room() - this.#pending - this.#freed.waiting;
      if (now > 0) this.#deliver(subscriber, now);
      return () => {
        this.#listeners = this.#listeners.filter((listener) => listener !== subscriber);
      };
    });
  }

  /** A `do()` call starts: a slot freed before it returns waits a microtask more (see LateAnnouncements). */
  enterCall(): void {
    this.#freed.inCall++;
  }

  leaveCall(): void {
    this.#freed.inCall--;
  }

  /**
   * A slot was freed: its room is announced after the caller heard the outcome. No room freed (the
   * capacity was cut below what runs), or nobody to tell: a subscriber that comes later is given the
   * room there is then.
   */
  slotFreed(): void {
    if (this.#room() === 0 || this.#listeners.length === 0) return;
    this.#freed.add();
  }

  /** Broadcasts `n` more room to every subscriber now (a raised capacity, an announced slot). */
  grant(n: number): void {
    this.#pending += n;
    if (!this.#broadcasting) this.#deliver(undefined, 0);
  }

  /**
   * Hands `room` to a new subscriber (when given), then broadcasts pending room until none is left.
   * Grants that fall due re-entrantly (a subscriber calls `do()` and the call settles synchronously)
   * only add to `#pending` and are handed out by the loop of the outermost call.
   */
  #deliver(subscriber: Subscriber<number> | undefined, room: number): void {
    if (this.#broadcasting) {
      subscriber?.next(room);
      return;
    }
    this.#broadcasting = true;
    try {
      subscriber?.next(room);
      while (this.#pending > 0) {
        const grant = this.#pending;
        this.#pending = 0;
        for (const listener of this.#listeners) listener.next(grant);
      }
    } finally {
      this.#broadcasting = false;
    }
  }
}
