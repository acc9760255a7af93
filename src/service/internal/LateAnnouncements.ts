/**
 * Announcements of freed room, each made by a microtask queued after the call's outcome was settled:
 * the caller's handlers on the promise `do()` returned are queued by then, so they run first and learn
 * the outcome before the room wakes anyone. A call settled inside `do()` (before the caller could attach
 * handlers) waits for the microtask after that. One microtask serves every slot freed before it was
 * queued; nothing is allocated per announcement.
 *
 * A file of its own because it is the one place that orders "outcome first, room after" for
 * {@link RoomBroadcast}; the broadcast itself knows nothing of microtasks.
 */
export class LateAnnouncements {
  /** `do()` calls running now: a slot freed meanwhile was freed before its caller could listen. */
  inCall = 0;
  /** Slots the queued microtask announces. */
  #due = 0;
  /** Slots freed after it was queued, or inside `do()`: announced by the microtask after it. */
  #later = 0;
  #queued = false;
  readonly #announce: () => void;

  constructor(announce: () => void) {
    this.#announce = announce;
  }

  /** Slots freed and not announced yet. */
  get waiting(): number {
    return this.#due + this.#later;
  }

  add(): void {
    if (this.#queued || this.inCall > 0) this.#later++;
    else this.#due++;
    if (!this.#queued) {
      this.#queued = true;
      queueMicrotask(this.#flush);
    }
  }

  readonly #flush = (): void => {
    let due = this.#due;
    this.#due = this.#later;
    this.#later = 0;
    this.#queued = this.#due > 0;
    if (this.#queued) queueMicrotask(this.#flush);
    for (; due > 0; due--) this.#announce();
  };
}
