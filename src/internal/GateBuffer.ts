import type { Subscription } from 'rxjs';
import type { DropReason } from '../core/DropReason.js';
import { BufferOverflowError } from '../errors/BufferOverflowError.js';
import { GateLedger } from './GateLedger.js';
import { KeyedQueue } from './KeyedQueue.js';
import { PriorityQueue } from './PriorityQueue.js';
import { RingBuffer } from './RingBuffer.js';
import type { ResolvedBufferOptions } from './resolveBufferOptions.js';
import type { Placement, WaitQueue } from './WaitQueue.js';

/**
 * The waiting room of a {@link Gate}: what happens to an item that cannot pass now, by the strategy
 * (dropped, refused, queued by arrival, priority or key, or in place of another), what `overflow`
 * evicts from a full queue, and the `ttl` timer that drops the items that waited too long.
 *
 * The gate's base class, as its ledger is: the queue is then a field of the gate itself, read on
 * every item without loading another object. It defines no `#method` (its own are TypeScript-private),
 * so it adds no private brand to the gate's fast-properties budget.
 */
export abstract class GateBuffer<T> extends GateLedger<T> {
  protected readonly options: ResolvedBufferOptions<T>;
  protected readonly queue: WaitQueue<T>;
  private expiryTimer: Subscription | undefined = undefined;

  constructor(options: ResolvedBufferOptions<T>) {
    super(options.onDrop);
    this.options = options;
    this.queue =
      options.priority !== undefined
        ? new PriorityQueue<T>()
        : options.key === undefined
          ? new RingBuffer<T>()
          : new KeyedQueue<T>(options.key, options.perKey, options.maxKeys);
  }

  get buffered(): number {
    return this.queue.size;
  }

  /** The error the `'error'` strategy fails with when `item` cannot pass (the admission tells). */
  protected abstract refusal(item: T): unknown;

  /** Delivers what can pass now: a new head (by priority, in place of an evicted one) may. */
  protected abstract drain(): void;

  /** `item` arrived and cannot pass now: apply the strategy. */
  protected hold(item: T): void {
    const { strategy } = this.options;
    if (strategy === 'drop') {
      this.drop(item, 'no-credit');
      return;
    }
    if (strategy === 'error') {
      this.dropThenFail(item, 'no-credit', this.refusal(item));
      return;
    }
    let priority = 0;
    let place: Placement;
    try {
      if (this.options.priority !== undefined) {
        priority = this.options.priority(item);
        if (typeof priority !== 'number' || Number.isNaN(priority)) {
          throw new RangeError(`options.priority(item) must return a number, got ${String(priority)}.`);
        }
      }
      place =
        strategy === 'latest'
          ? this.queue.placeLatest(item)
          : this.queue.size < this.options.bufferSize
            ? 'joins'
            : 'full';
    } catch (error) {
      this.dropThenFail(item, 'error', error);
      return;
    }
    let evicted = false;
    if (place === 'replaces') {
      this.replace(this.queue.removeReplaced(), item, priority, 'replaced');
      evicted = true;
    } else if (place === 'joins') {
      this.enqueue(item, priority);
    } else {
      if (!this.makeRoom(item, priority)) return;
      evicted = true;
    }
    // A new head (by priority, or in place of an evicted one) may pass where the one before could not,
    // say with a lower cost.
    if (evicted || this.options.priority !== undefined) this.drain();
  }

  protected dropThenFail(item: T, reason: DropReason, error: unknown): void {
    this.drop(item, reason);
    this.fail(error);
  }

  /** The gate closed: no item will expire any more. */
  protected cancelExpiry(): void {
    this.expiryTimer?.unsubscribe();
    this.expiryTimer = undefined;
  }

  /** The queue is full: apply `overflow`. Returns whether the incoming item took an evicted one's place. */
  private makeRoom(item: T, priority: number): boolean {
    switch (this.options.overflow) {
      case 'error':
        this.dropThenFail(
          item,
          'overflow',
          new BufferOverflowError(item, this.options.bufferSize, this.options.bridge?.overflowAdvice),
        );
        return false;
      case 'drop-incoming':
        this.drop(item, 'overflow');
        return false;
      case 'drop-oldest':
        this.replace(this.queue.removeOldest(), item, priority, 'overflow');
        return true;
      case 'drop-lowest': {
        // 'drop-lowest' is accepted only with `priority`, so the queue is a priority queue.
        const queue = this.queue as PriorityQueue<T>;
        // Among equal priorities the newest is delivered last, so the incoming item loses ties.
        if (priority <= queue.lowestPriority()) {
          this.drop(item, 'overflow');
          return false;
        }
        this.replace(queue.removeLowest(), item, priority, 'overflow');
        return true;
      }
    }
  }

  /**
   * Puts `item` in the place of `evicted`, then reports `evicted`: reported last, so the ledger holds
   * inside `onDrop`, and whatever `onDrop` does (unsubscribe, fail, emit again) finds `item` buffered.
   */
  private replace(evicted: T, item: T, priority: number, reason: DropReason): void {
    this.enqueue(item, priority);
    this.drop(evicted, reason);
  }

  private enqueue(item: T, priority: number): void {
    const { ttl, scheduler } = this.options;
    this.queue.push(item, ttl === undefined ? 0 : scheduler.now(), priority);
    if (ttl !== undefined && this.expiryTimer === undefined) this.scheduleExpiry(ttl);
  }

  /** One timer at a time, due when the item that has waited longest expires. */
  private scheduleExpiry(ttl: number): void {
    const { scheduler } = this.options;
    const delay = Math.max(0, this.queue.oldestEnqueuedAt() + ttl - scheduler.now());
    this.expiryTimer = scheduler.schedule(() => {
      this.expiryTimer = undefined;
      if (this.closed) return;
      this.queue.removeExpired(scheduler.now() - ttl, (item) => this.drop(item, 'expired'));
      if (this.closed) return;
      if (this.queue.size > 0 && this.expiryTimer === undefined) this.scheduleExpiry(ttl);
      // The new head may pass where an expired one could not (a lower cost); the drain then settles.
      this.drain();
    }, delay);
  }
}
