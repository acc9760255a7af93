import type { Observer, Subscription } from 'rxjs';
import type { DropReason } from '../core/DropReason.js';
import { BufferOverflowError } from '../errors/BufferOverflowError.js';
import type { Admission } from './Admission.js';
import { assertNever } from './assertNever.js';
import { developmentChecks, invariant } from './developmentChecks.js';
import { GateLedger } from './GateLedger.js';
import {
  admissionEndedEvent,
  closeEvent,
  type GatePhase,
  nextGatePhase,
  openPhase,
  sourceCompleteEvent,
} from './GatePhase.js';
import { KeyedQueue } from './KeyedQueue.js';
import { PriorityQueue } from './PriorityQueue.js';
import { RingBuffer } from './RingBuffer.js';
import type { ResolvedBufferOptions } from './resolveBufferOptions.js';
import type { Placement, WaitQueue } from './WaitQueue.js';

/**
 * The one engine behind every operator that holds items back. It owns the wait queue, applies the
 * strategy to items that cannot pass, keeps the loss ledger (its base class, {@link GateLedger}) and
 * runs the drain loop. It delivers to a Subscriber, or to an operator's own handling (withHandshake
 * starts a call).
 *
 * Re-entrancy: whatever the sink does inside `next` (grant more credit, emit from the source, end the
 * subscription) only changes state; the one running drain loop picks it up. No recursion, however
 * many grants arrive from inside `next`.
 *
 * Its life is one {@link GatePhase}, moved only by `nextGatePhase`; `#draining` (one drain loop at a
 * time) and the `ttl` timer are the only other state beside the queue and the ledger.
 */
export class Gate<T> extends GateLedger<T> {
  // Twelve properties, the ledger's four and the private brand of the #methods included: the
  // fast-properties budget of a class built per subscription (README, "Design notes"). The phases are
  // shared objects and closed is `undefined`, so moving between them allocates nothing and the
  // per-item check reads no property.
  readonly #options: ResolvedBufferOptions<T>;
  readonly #admission: Admission<T>;
  readonly #sink: Observer<T>;
  readonly #queue: WaitQueue<T>;
  #phase: GatePhase = openPhase;
  #draining = false;
  #expiryTimer: Subscription | undefined = undefined;

  constructor(options: ResolvedBufferOptions<T>, admission: Admission<T>, sink: Observer<T>) {
    super(options.onDrop);
    this.#options = options;
    this.#admission = admission;
    this.#sink = sink;
    this.#queue =
      options.priority !== undefined
        ? new PriorityQueue<T>()
        : options.key === undefined
          ? new RingBuffer<T>()
          : new KeyedQueue<T>(options.key, options.perKey, options.maxKeys);
  }

  get buffered(): number {
    return this.#queue.size;
  }

  /** Whether the gate has ended: terminal signal sent, failed, or released. */
  get closed(): boolean {
    return this.#phase === undefined;
  }

  /** A source item arrives: deliver it now if nothing waits and it is admitted, else apply the strategy. */
  offer(item: T): void {
    if (this.#phase === undefined) return;
    this.received++;
    let admitted: boolean;
    try {
      admitted = this.#queue.size === 0 && this.#admission.admits(item);
    } catch (error) {
      this.#dropThenFail(item, 'error', error);
      return;
    }
    if (admitted) {
      this.#admission.admit(item);
      this.delivered++;
      this.#sink.next(item);
      return;
    }
    this.#hold(item);
  }

  /** Admission may have grown (a grant, a freed slot): deliver what now can pass. */
  wake(): void {
    // Nothing waits, so nothing can pass, and a due terminal signal went out when the queue emptied.
    // Skipping the drain keeps a grant made inside `next` (one per item at grant(1)) a few plain calls.
    if (this.#queue.size > 0) this.#drain();
  }

  /** No more admission will ever come (the credit signal completed). */
  admissionEnded(): void {
    this.#phase = nextGatePhase(this.#phase, admissionEndedEvent);
    this.#settle();
  }

  /** The source completed: complete once the waiting items are delivered. */
  sourceComplete(): void {
    this.#phase = nextGatePhase(this.#phase, sourceCompleteEvent);
    this.#settle();
  }

  /** The source errored: with `delay`, after the waiting items are delivered; else at once. */
  sourceError(error: unknown, delay: boolean): void {
    if (!delay || this.#queue.size === 0) {
      this.fail(error);
      return;
    }
    this.#phase = nextGatePhase(this.#phase, { kind: 'source-error', error });
    this.#settle();
  }

  /** Fails at once: every waiting item is dropped with reason `'error'`, then the sink errors. */
  fail(error: unknown): void {
    if (this.#phase === undefined) return;
    this.#close('error');
    this.#sink.error(error);
  }

  /** Teardown (the output was unsubscribed): every waiting item is dropped as `'unsubscribed'`. */
  release(): void {
    if (this.#phase === undefined) return;
    this.#close('unsubscribed');
  }

  #hold(item: T): void {
    const { strategy } = this.#options;
    if (strategy === 'drop') {
      this.drop(item, 'no-credit');
      return;
    }
    if (strategy === 'error') {
      this.#dropThenFail(item, 'no-credit', this.#admission.refusal(item));
      return;
    }
    let priority = 0;
    if (this.#options.priority !== undefined) {
      try {
        priority = this.#options.priority(item);
        if (typeof priority !== 'number' || Number.isNaN(priority)) {
          throw new RangeError(`options.priority(item) must return a number, got ${String(priority)}.`);
        }
      } catch (error) {
        this.#dropThenFail(item, 'error', error);
        return;
      }
    }
    let place: Placement;
    try {
      place =
        strategy === 'latest'
          ? this.#queue.placeLatest(item)
          : this.#queue.size < this.#options.bufferSize
            ? 'joins'
            : 'full';
    } catch (error) {
      this.#dropThenFail(item, 'error', error);
      return;
    }
    let evicted = false;
    if (place === 'replaces') {
      this.#replace(this.#queue.removeReplaced(), item, priority, 'replaced');
      evicted = true;
    } else if (place === 'joins') {
      this.#enqueue(item, priority);
    } else {
      if (!this.#makeRoom(item, priority)) return;
      evicted = true;
    }
    // A new head (by priority, or in place of an evicted one) may pass where the one before could not,
    // say with a lower cost.
    if (evicted || this.#options.priority !== undefined) this.#drain();
  }

  /** The buffer is full: apply `overflow`. Returns whether the incoming item took an evicted one's place. */
  #makeRoom(item: T, priority: number): boolean {
    switch (this.#options.overflow) {
      case 'error':
        this.#dropThenFail(
          item,
          'overflow',
          new BufferOverflowError(item, this.#options.bufferSize, this.#options.bridge?.overflowAdvice),
        );
        return false;
      case 'drop-incoming':
        this.drop(item, 'overflow');
        return false;
      case 'drop-oldest':
        this.#replace(this.#queue.removeOldest(), item, priority, 'overflow');
        return true;
      case 'drop-lowest': {
        // 'drop-lowest' is accepted only with `priority`, so the queue is a priority queue.
        const queue = this.#queue as PriorityQueue<T>;
        // Among equal priorities the newest is delivered last, so the incoming item loses ties.
        if (priority <= queue.lowestPriority()) {
          this.drop(item, 'overflow');
          return false;
        }
        this.#replace(queue.removeLowest(), item, priority, 'overflow');
        return true;
      }
    }
  }

  /**
   * Puts `item` in the place of `evicted`, then reports `evicted`: reported last, so the ledger holds
   * inside `onDrop`, and whatever `onDrop` does (unsubscribe, fail, emit again) finds `item` buffered.
   */
  #replace(evicted: T, item: T, priority: number, reason: DropReason): void {
    this.#enqueue(item, priority);
    this.drop(evicted, reason);
  }

  #enqueue(item: T, priority: number): void {
    const { ttl, scheduler } = this.#options;
    this.#queue.push(item, ttl === undefined ? 0 : scheduler.now(), priority);
    if (ttl !== undefined && this.#expiryTimer === undefined) this.#scheduleExpiry();
  }

  #drain(): void {
    if (this.#draining || this.#phase === undefined) return;
    this.#draining = true;
    const queue = this.#queue;
    const { ttl, scheduler } = this.#options;
    try {
      while (queue.size > 0 && this.#phase !== undefined) {
        if (ttl !== undefined && scheduler.now() - queue.peekEnqueuedAt() >= ttl) {
          this.drop(queue.shift(), 'expired');
          continue;
        }
        const head = queue.peek();
        if (!this.#admission.admits(head)) break;
        queue.shift();
        this.#admission.admit(head);
        this.delivered++;
        this.#sink.next(head);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.#draining = false;
    }
    this.#settle();
  }

  /** Sends the terminal signal once the source is done and nothing waits (or nothing ever can pass). */
  #settle(): void {
    const phase = this.#phase;
    if (this.#draining || phase === undefined) return;
    switch (phase.kind) {
      case 'open':
        return;
      case 'completing':
      case 'failing':
        break;
      default:
        assertNever(phase);
    }
    if (this.#queue.size > 0) {
      if (!phase.admissionEnded) return;
      let stuck: boolean;
      try {
        stuck = !this.#admission.admits(this.#queue.peek());
      } catch (error) {
        this.fail(error);
        return;
      }
      if (!stuck) return;
      // The credit signal has ended and the head can never pass: these items can never be delivered.
      while (this.#queue.size > 0 && this.#phase !== undefined) this.drop(this.#queue.shift(), 'no-credit');
      if (this.#phase === undefined) return;
    }
    this.#close('no-credit');
    if (phase.kind === 'completing') this.#sink.complete();
    else this.#sink.error(phase.error);
  }

  #scheduleExpiry(): void {
    const { ttl, scheduler } = this.#options as {
      ttl: number;
      scheduler: ResolvedBufferOptions<T>['scheduler'];
    };
    const delay = Math.max(0, this.#queue.oldestEnqueuedAt() + ttl - scheduler.now());
    this.#expiryTimer = scheduler.schedule(() => {
      this.#expiryTimer = undefined;
      if (this.#phase === undefined) return;
      this.#queue.removeExpired(scheduler.now() - ttl, (item) => this.drop(item, 'expired'));
      if (this.#phase === undefined) return;
      if (this.#queue.size > 0 && this.#expiryTimer === undefined) this.#scheduleExpiry();
      // The new head may pass where an expired one could not (a lower cost); the drain then settles.
      this.#drain();
    }, delay);
  }

  #cancelExpiry(): void {
    this.#expiryTimer?.unsubscribe();
    this.#expiryTimer = undefined;
  }

  #dropThenFail(item: T, reason: DropReason, error: unknown): void {
    this.drop(item, reason);
    this.fail(error);
  }

  /** The one way into `closed`; the caller sends the terminal signal, if any, right after. */
  #close(reason: DropReason): void {
    if (developmentChecks) invariant(this.#phase !== undefined, () => 'a gate closed twice');
    this.#phase = nextGatePhase(this.#phase, closeEvent);
    this.#cancelExpiry();
    while (this.#queue.size > 0) this.drop(this.#queue.shift(), reason);
    if (developmentChecks) this.checkLedger();
  }
}
