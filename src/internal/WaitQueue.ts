/**
 * Where an item that cannot pass goes under `strategy: 'latest'`: it `'replaces'` a waiting item (which
 * `removeReplaced` then removes), `'joins'` the queue, or finds it `'full'` (a new key beyond
 * `maxKeys`), and the overflow policy decides.
 */
export type Placement = 'replaces' | 'joins' | 'full';

/**
 * Where the gate keeps items that wait for credit: a FIFO ring buffer, a stable priority queue, or the
 * latest items per key. Each item remembers when it was enqueued, for `ttl`.
 */
export interface WaitQueue<T> {
  readonly size: number;
  /** Adds an item. `priority` is read only by the priority queue. */
  push(item: T, enqueuedAt: number, priority: number): void;
  /** The item that would be delivered next. Only when `size > 0`. */
  peek(): T;
  /** When the item `peek()` returns was enqueued. Only when `size > 0`. */
  peekEnqueuedAt(): number;
  /** Removes and returns the item that would be delivered next. Only when `size > 0`. */
  shift(): T;
  /** Removes and returns the item that has waited longest. Only when `size > 0`. */
  removeOldest(): T;
  /** When the item that has waited longest was enqueued. Only when `size > 0`. */
  oldestEnqueuedAt(): number;
  /**
   * Removes every item enqueued at or before `deadline` and hands each to `onRemoved`, in the order
   * they arrived. `onRemoved` may re-enter the queue's owner, so it is called after the removal.
   */
  removeExpired(deadline: number, onRemoved: (item: T) => void): void;
  /** `'latest'`: where `item` goes (one waiting item, replaced by every newcomer; or per key). */
  placeLatest(item: T): Placement;
  /** Removes and returns the item that `placeLatest` said the newcomer replaces. */
  removeReplaced(): T;
}
