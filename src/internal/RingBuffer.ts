import type { Placement, WaitQueue } from './WaitQueue.js';

const initialCapacity = 16;

/**
 * A FIFO queue on a circular array that doubles when full, so `shift` is O(1) (never `Array#shift`)
 * and a steady flow allocates nothing per item.
 */
export class RingBuffer<T> implements WaitQueue<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(initialCapacity);
  #enqueuedAt: number[] = new Array<number>(initialCapacity).fill(0);
  #mask = initialCapacity - 1;
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T, enqueuedAt: number): void {
    if (this.#size === this.#items.length) this.#grow();
    const index = (this.#head + this.#size) & this.#mask;
    this.#items[index] = item;
    this.#enqueuedAt[index] = enqueuedAt;
    this.#size++;
  }

  peek(): T {
    return this.#items[this.#head] as T;
  }

  peekEnqueuedAt(): number {
    return this.#enqueuedAt[this.#head] as number;
  }

  shift(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    return item;
  }

  removeOldest(): T {
    return this.shift();
  }

  oldestEnqueuedAt(): number {
    return this.peekEnqueuedAt();
  }

  placeLatest(): Placement {
    return this.#size > 0 ? 'replaces' : 'joins';
  }

  removeReplaced(): T {
    return this.shift();
  }

  removeExpired(deadline: number, onRemoved: (item: T) => void): void {
    // In a FIFO queue arrival order is queue order, so the expired items are a prefix.
    while (this.#size > 0 && this.peekEnqueuedAt() <= deadline) onRemoved(this.shift());
  }

  #grow(): void {
    const capacity = this.#items.length * 2;
    const items = new Array<T | undefined>(capacity);
    const enqueuedAt = new Array<number>(capacity).fill(0);
    for (let offset = 0; offset < this.#size; offset++) {
      const from = (this.#head + offset) & this.#mask;
      items[offset] = this.#items[from];
      enqueuedAt[offset] = this.#enqueuedAt[from] as number;
    }
    this.#items = items;
    this.#enqueuedAt = enqueuedAt;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
