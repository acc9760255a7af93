import type { Placement, WaitQueue } from './WaitQueue.js';

/** The waiting items of one key: its newest `perKey`, oldest first, on a small ring. */
interface KeySlot<T> {
  key: unknown;
  readonly items: (T | undefined)[];
  readonly enqueuedAt: number[];
  /** Arrival order across all keys: finds the oldest item, and orders expired items. */
  readonly sequence: number[];
  head: number;
  count: number;
  previous: KeySlot<T> | undefined;
  next: KeySlot<T> | undefined;
}

/**
 * The wait queue of `strategy: 'latest'` with a `key`: the newest `perKey` items of each key, keys
 * delivered fairly. Keys wait in the order they started waiting (a replaced item keeps its key's
 * place); after one of its items is delivered, a key that still has items goes to the back, so every
 * waiting key is served once per round. At most `maxKeys` keys wait; one more is `'full'` and the
 * buffer's overflow policy decides.
 *
 * Memory is bounded by the keys: slots of keys that stop waiting are kept for reuse, at most `maxKeys`
 * of them, so a steady flow allocates nothing per item.
 *
 * The gate asks {@link KeyedQueue.placeLatest} first and then, for that same item, calls
 * `removeReplaced` and/or `push` (or `removeOldest` and `push` on overflow): the key is computed once,
 * by `placeLatest`, and remembered for them.
 */
export class KeyedQueue<T> implements WaitQueue<T> {
  readonly #key: (item: T) => unknown;
  readonly #perKey: number;
  readonly #maxKeys: number;
  readonly #slots = new Map<unknown, KeySlot<T>>();
  readonly #spare: KeySlot<T>[] = [];
  #first: KeySlot<T> | undefined;
  #last: KeySlot<T> | undefined;
  #size = 0;
  #nextSequence = 0;
  /** The key of the item `placeLatest` was last asked about. */
  #placedKey: unknown;

  constructor(key: (item: T) => unknown, perKey: number, maxKeys: number) {
    this.#key = key;
    this.#perKey = perKey;
    this.#maxKeys = maxKeys;
  }

  get size(): number {
    return this.#size;
  }

  /** How many keys have items waiting. */
  get keys(): number {
    return this.#slots.size;
  }

  placeLatest(item: T): Placement {
    const key = this.#key(item);
    this.#placedKey = key;
    const slot = this.#slots.get(key);
    if (slot !== undefined) return slot.count >= this.#perKey ? 'replaces' : 'joins';
    return this.#slots.size >= this.#maxKeys ? 'full' : 'joins';
  }

  /** Removes the oldest item of the key `placeLatest` was asked about; `push` refills its place. */
  removeReplaced(): T {
    return this.#removeHead(this.#slots.get(this.#placedKey) as KeySlot<T>, false);
  }

  push(item: T, enqueuedAt: number): void {
    const key = this.#placedKey;
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.#spare.pop() ?? this.#newSlot();
      slot.key = key;
      this.#slots.set(key, slot);
      this.#append(slot);
    }
    const index = (slot.head + slot.count) % this.#perKey;
    slot.items[index] = item;
    slot.enqueuedAt[index] = enqueuedAt;
    slot.sequence[index] = this.#nextSequence++;
    slot.count++;
    this.#size++;
  }

  peek(): T {
    const slot = this.#first as KeySlot<T>;
    return slot.items[slot.head] as T;
  }

  peekEnqueuedAt(): number {
    const slot = this.#first as KeySlot<T>;
    return slot.enqueuedAt[slot.head] as number;
  }

  shift(): T {
    const slot = this.#first as KeySlot<T>;
    const item = this.#removeHead(slot, true);
    // Served: a key that still waits goes to the back of the round.
    if (slot.count > 0 && slot !== this.#last) {
      this.#unlink(slot);
      this.#append(slot);
    }
    return item;
  }

  removeOldest(): T {
    return this.#removeHead(this.#oldest(), true);
  }

  oldestEnqueuedAt(): number {
    const slot = this.#oldest();
    return slot.enqueuedAt[slot.head] as number;
  }

  removeExpired(deadline: number, onRemoved: (item: T) => void): void {
    const expired: { item: T; sequence: number }[] = [];
    let slot = this.#first;
    while (slot !== undefined) {
      const next = slot.next;
      // Within a key items wait in arrival order, so its expired items come first.
      while (slot.count > 0 && (slot.enqueuedAt[slot.head] as number) <= deadline) {
        const sequence = slot.sequence[slot.head] as number;
        expired.push({ item: this.#removeHead(slot, true), sequence });
      }
      slot = next;
    }
    expired.sort((a, b) => a.sequence - b.sequence);
    for (const { item } of expired) onRemoved(item);
  }

  /** The slot whose oldest item arrived first: a scan, only for overflow and expiry. */
  #oldest(): KeySlot<T> {
    let oldest = this.#first as KeySlot<T>;
    for (let slot = oldest.next; slot !== undefined; slot = slot.next) {
      if ((slot.sequence[slot.head] as number) < (oldest.sequence[oldest.head] as number)) oldest = slot;
    }
    return oldest;
  }

  /** Removes the slot's oldest item; a slot left empty stops waiting, unless it is refilled at once. */
  #removeHead(slot: KeySlot<T>, release: boolean): T {
    const item = slot.items[slot.head] as T;
    slot.items[slot.head] = undefined;
    slot.head = (slot.head + 1) % this.#perKey;
    slot.count--;
    this.#size--;
    if (slot.count === 0 && release) this.#release(slot);
    return item;
  }

  #release(slot: KeySlot<T>): void {
    this.#unlink(slot);
    this.#slots.delete(slot.key);
    slot.key = undefined;
    slot.head = 0;
    if (this.#spare.length < this.#maxKeys) this.#spare.push(slot);
  }

  #newSlot(): KeySlot<T> {
    const perKey = this.#perKey;
    return {
      key: undefined,
      items: new Array<T | undefined>(perKey),
      enqueuedAt: new Array<number>(perKey).fill(0),
      sequence: new Array<number>(perKey).fill(0),
      head: 0,
      count: 0,
      previous: undefined,
      next: undefined,
    };
  }

  #append(slot: KeySlot<T>): void {
    slot.previous = this.#last;
    slot.next = undefined;
    if (this.#last === undefined) this.#first = slot;
    else this.#last.next = slot;
    this.#last = slot;
  }

  #unlink(slot: KeySlot<T>): void {
    if (slot.previous === undefined) this.#first = slot.next;
    else slot.previous.next = slot.next;
    if (slot.next === undefined) this.#last = slot.previous;
    else slot.next.previous = slot.previous;
    slot.previous = undefined;
    slot.next = undefined;
  }
}
