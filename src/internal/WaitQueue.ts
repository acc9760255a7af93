/**
 * Where the gate keeps items that wait for credit: a FIFO ring buffer, or a stable priority queue.
 * Each item remembers when it was enqueued, for `ttl`.
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
}
