import type { Observer } from 'rxjs';
import type { DropReason } from '../core/DropReason.js';
import type { Admission } from './Admission.js';
import { assertNever } from './assertNever.js';
import { developmentChecks, invariant } from './developmentChecks.js';
import { GateBuffer } from './GateBuffer.js';
import {
  admissionEndedEvent,
  closeEvent,
  type GatePhase,
  nextGatePhase,
  openPhase,
  sourceCompleteEvent,
} from './GatePhase.js';
import type { ResolvedBufferOptions } from './resolveBufferOptions.js';

/**
 * The one engine behind every operator that holds items back: it lets an item pass when its
 * {@link Admission} admits it, runs the drain loop and sends the terminal signal once. What happens to
 * an item that cannot pass is its base class {@link GateBuffer} (the wait queue, the strategy,
 * `overflow`, `ttl`), and the loss ledger is that one's base, {@link GateLedger}. It delivers to a
 * Subscriber, or to an operator's own handling (withHandshake starts a call).
 *
 * Re-entrancy: whatever the sink does inside `next` (grant more credit, emit from the source, end the
 * subscription) only changes state; the one running drain loop picks it up. No recursion, however
 * many grants arrive from inside `next`.
 *
 * Its life is one {@link GatePhase}, moved only by `nextGatePhase`; `#draining` (one drain loop at a
 * time) is the only other state beside the buffer and the ledger.
 */
export class Gate<T> extends GateBuffer<T> {
  // Twelve properties: the ledger's four, the buffer's three, these four and the private brand of the
  // #methods: the fast-properties budget of a class built per subscription (README, "Design notes").
  // The phases are shared objects and closed is `undefined`, so moving between them allocates nothing
  // and the per-item check reads no property.
  readonly #admission: Admission<T>;
  readonly #sink: Observer<T>;
  #phase: GatePhase = openPhase;
  #draining = false;

  constructor(options: ResolvedBufferOptions<T>, admission: Admission<T>, sink: Observer<T>) {
    super(options);
    this.#admission = admission;
    this.#sink = sink;
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
      admitted = this.queue.size === 0 && this.#admission.admits(item);
    } catch (error) {
      this.dropThenFail(item, 'error', error);
      return;
    }
    if (admitted) {
      this.#admission.admit(item);
      this.delivered++;
      this.#sink.next(item);
      return;
    }
    this.hold(item);
  }

  /** Admission may have grown (a grant, a freed slot): deliver what now can pass. */
  wake(): void {
    // Nothing waits, so nothing can pass, and a due terminal signal went out when the queue emptied.
    // Skipping the drain keeps a grant made inside `next` (one per item at grant(1)) a few plain calls.
    if (this.queue.size > 0) this.drain();
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
    if (!delay || this.queue.size === 0) {
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

  protected refusal(item: T): unknown {
    return this.#admission.refusal(item);
  }

  protected drain(): void {
    if (this.#draining || this.#phase === undefined) return;
    this.#draining = true;
    const queue = this.queue;
    const { ttl, scheduler } = this.options;
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
    if (this.queue.size > 0) {
      if (!phase.admissionEnded) return;
      let stuck: boolean;
      try {
        stuck = !this.#admission.admits(this.queue.peek());
      } catch (error) {
        this.fail(error);
        return;
      }
      if (!stuck) return;
      // The credit signal has ended and the head can never pass: these items can never be delivered.
      while (this.queue.size > 0 && this.#phase !== undefined) this.drop(this.queue.shift(), 'no-credit');
      if (this.#phase === undefined) return;
    }
    this.#close('no-credit');
    if (phase.kind === 'completing') this.#sink.complete();
    else this.#sink.error(phase.error);
  }

  /** The one way into `closed`; the caller sends the terminal signal, if any, right after. */
  #close(reason: DropReason): void {
    if (developmentChecks) invariant(this.#phase !== undefined, () => 'a gate closed twice');
    this.#phase = nextGatePhase(this.#phase, closeEvent);
    this.cancelExpiry();
    while (this.queue.size > 0) this.drop(this.queue.shift(), reason);
    if (developmentChecks) this.checkLedger();
  }
}
