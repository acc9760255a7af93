import type { Placement, WaitQueue } from './WaitQueue.js';

interface Entry<T> {
  readonly item: T;
  readonly priority: number;
  /** Arrival order: keeps the queue stable (FIFO among equal priorities). */
  readonly sequence: number;
  readonly enqueuedAt: number;
}

/** Whether `a` is delivered before `b`: higher priority first, then earlier arrival. */
function precedes<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.sequence < b.sequence);
}

/**
 * A stable max-priority queue on a binary heap: higher priority first, FIFO among equals. Eviction
 * of the oldest or lowest item scans (O(n)); it only happens when a full buffer overflows.
 */
export class PriorityQueue<T> implements WaitQueue<T> {
  readonly #heap: Entry<T>[] = [];
  #nextSequence = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(item: T, enqueuedAt: number, priority: number): void {
    this.#heap.push({ item, priority, sequence: this.#nextSequence++, enqueuedAt });
    this.#siftUp(this.#heap.length - 1);
  }

  peek(): T {
    return (this.#heap[0] as Entry<T>).item;
  }

  peekEnqueuedAt(): number {
    return (this.#heap[0] as Entry<T>).enqueuedAt;
  }

  shift(): T {
    return this.#removeAt(0).item;
  }

  removeOldest(): T {
    return this.#removeAt(this.#indexOfOldest()).item;
  }

  oldestEnqueuedAt(): number {
    return (this.#heap[this.#indexOfOldest()] as Entry<T>).enqueuedAt;
  }

  /** The priority of the item that would be delivered last. Only when `size > 0`. */
  lowestPriority(): number {
    return (this.#heap[this.#indexOfLowest()] as Entry<T>).priority;
  }

  /** Removes and returns the item that would be delivered last. Only when `size > 0`. */
  removeLowest(): T {
    return this.#removeAt(this.#indexOfLowest()).item;
  }

  placeLatest(): Placement {
    return this.#heap.length > 0 ? 'replaces' : 'joins';
  }

  removeReplaced(): T {
    return this.removeOldest();
  }

  removeExpired(deadline: number, onRemoved: (item: T) => void): void {
    const expired: Entry<T>[] = [];
    let kept = 0;
    for (const entry of this.#heap) {
      if (entry.enqueuedAt <= deadline) expired.push(entry);
      else this.#heap[kept++] = entry;
    }
    if (expired.length === 0) return;
    this.#heap.length = kept;
    for (let index = (kept >> 1) - 1; index >= 0; index--) this.#siftDown(index);
    expired.sort((a, b) => a.sequence - b.sequence);
    for (const entry of expired) onRemoved(entry.item);
  }

  #indexOfOldest(): number {
    let oldest = 0;
    for (let index = 1; index < this.#heap.length; index++) {
      if ((this.#heap[index] as Entry<T>).sequence < (this.#heap[oldest] as Entry<T>).sequence)
        oldest = index;
    }
    return oldest;
  }

  #indexOfLowest(): number {
    // In a heap ordered by `precedes`, the last item to be delivered is always a leaf.
    let lowest = this.#heap.length >> 1;
    for (let index = lowest + 1; index < this.#heap.length; index++) {
      if (precedes(this.#heap[lowest] as Entry<T>, this.#heap[index] as Entry<T>)) lowest = index;
    }
    return lowest;
  }

  #removeAt(index: number): Entry<T> {
    const heap = this.#heap;
    const removed = heap[index] as Entry<T>;
    const last = heap.pop() as Entry<T>;
    if (index < heap.length) {
      heap[index] = last;
      this.#siftDown(index);
      this.#siftUp(index);
    }
    return removed;
  }

  #siftUp(start: number): void {
    const heap = this.#heap;
    let index = start;
    const entry = heap[index] as Entry<T>;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent] as Entry<T>;
      if (!precedes(entry, above)) break;
      heap[index] = above;
      index = parent;
    }
    heap[index] = entry;
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    const length = heap.length;
    let index = start;
    const entry = heap[index] as Entry<T>;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child =
        right < length && precedes(heap[right] as Entry<T>, heap[left] as Entry<T>) ? right : left;
      if (!precedes(heap[child] as Entry<T>, entry)) break;
      heap[index] = heap[child] as Entry<T>;
      index = child;
    }
    heap[index] = entry;
  }
}
