import type { Observer, Subscriber } from 'rxjs';
import type { DropReason } from '../../core/DropReason.js';
import type { Service } from '../../core/Service.js';
import type { ServiceAtCapacityError } from '../../errors/ServiceAtCapacityError.js';
import type { Admission } from '../../internal/Admission.js';
import { Gate } from '../../internal/Gate.js';
import { OrderedResults } from '../../internal/OrderedResults.js';
import { refusalOf } from '../../internal/refusalOf.js';
import type { ResolvedBufferOptions } from '../../internal/resolveBufferOptions.js';
import { CallRetries } from './CallRetries.js';
import { HandshakeCall } from './HandshakeCall.js';
import type { CallPolicy } from './resolveCallPolicy.js';
import type { ResultOrder } from './resultOrder.js';
import { type AttemptOutcomes, startAttempt } from './startAttempt.js';

/**
 * One subscription of `withHandshake`: its gate, and the calls the gate hands items to. They are the
 * gate's admission (ask `isReady()`) and its sink (start `do()`), so the gate is built here, with them,
 * and nothing is wired afterwards. They count the items in flight (running or waiting to be retried),
 * put results in order when asked to, and tell the gate's ledger about items they drop after it
 * delivered them.
 */
export class HandshakeCalls<T, R> implements Admission<T>, Observer<T>, AttemptOutcomes<T, R> {
  readonly gate: Gate<T>;
  /** Items handed over and not finished: calls running, and items waiting to be retried. */
  inFlight = 0;

  readonly #service: Service<T, R>;
  readonly #subscriber: Subscriber<R>;
  readonly #policy: CallPolicy;
  readonly #ordered: OrderedResults<T, R> | undefined;
  readonly #retries: CallRetries<T> | undefined;
  /** The newest item in flight; the list runs through `previous`. */
  #newest: HandshakeCall<T> | undefined;
  #startingRetries = false;
  #handedOver = false;

  constructor(
    service: Service<T, R>,
    subscriber: Subscriber<R>,
    options: ResolvedBufferOptions<T>,
    ordered: ResultOrder<T> | undefined,
    policy: CallPolicy,
  ) {
    this.#service = service;
    this.#subscriber = subscriber;
    this.#policy = policy;
    this.#ordered = ordered && new OrderedResults((value) => subscriber.next(value), ordered.key);
    this.#retries = policy.retry && new CallRetries(policy.retry, this);
    this.gate = new Gate(options, this, this);
  }

  admits(): boolean {
    return (
      (this.#retries === undefined || this.#retries.due === 0) &&
      this.inFlight < this.#concurrency() &&
      this.#service.isReady()
    );
  }

  admit(): void {}

  refusal(): ServiceAtCapacityError {
    return refusalOf(this.#service);
  }

  /** The service may have room (a credit, a settled call): retries first, then waiting items. */
  wake(): void {
    if (this.#retries !== undefined && this.#retries.due > 0) this.#startRetries(this.#retries);
    this.gate.wake();
  }

  /** The gate hands an item over: start its first call. */
  next(item: T): void {
    let order: number;
    try {
      order = this.#ordered?.start(item) ?? 0;
    } catch (error) {
      // A key that throws is a bug in the pipeline, not a failed call: no policy retries it.
      this.gate.droppedAfterDelivery(item, 'error');
      this.gate.fail(error);
      return;
    }
    this.inFlight++;
    const call = new HandshakeCall(item, order);
    this.#join(call);
    startAttempt(call, this.#service, this.#policy, this.#subscriber, this);
  }

  /** Every waiting item was handed over: complete once the items in flight are done. */
  complete(): void {
    this.#handedOver = true;
    this.#completeIfDone();
  }

  error(error: unknown): void {
    this.#discardHeld('error');
    this.#subscriber.error(error);
  }

  release(): void {
    this.gate.release();
    this.#discardHeld('unsubscribed');
    for (let call = this.#newest; call !== undefined; call = call.previous) call.abandon();
    this.#newest = undefined;
  }

  attemptValue(call: HandshakeCall<T>, value: R): void {
    if (this.#ordered === undefined) this.#subscriber.next(value);
    else this.#ordered.value(call.order, value);
  }

  attemptSucceeded(call: HandshakeCall<T>): void {
    this.#finish(call);
  }

  /** Retry the item after a backoff, or fail it as `callErrors` says. */
  attemptFailed(call: HandshakeCall<T>, error: unknown): void {
    if (this.#subscriber.closed) return;
    const retries = this.#retries;
    let retrying: boolean;
    try {
      retrying = retries?.willRetry(call, error) ?? false;
    } catch (thrown) {
      this.#fail(call, thrown);
      return;
    }
    if (retrying && retries !== undefined) {
      retries.backOff(call, error);
      // The failed attempt freed its slot at the service, which other items may use within concurrency.
      this.wake();
    } else if (this.#policy.callErrors === 'drop') {
      this.gate.droppedAfterDelivery(call.item, 'error');
      this.#finish(call);
    } else {
      this.#fail(call, error);
    }
  }

  #concurrency(): number {
    const { concurrency } = this.#policy;
    if (concurrency !== undefined) return concurrency;
    const { capacity } = this.#service as { capacity?: unknown };
    return typeof capacity === 'number' ? capacity : Number.POSITIVE_INFINITY;
  }

  /** Starts the items whose backoff is over while the service is ready, one loop however re-entered. */
  #startRetries(retries: CallRetries<T>): void {
    if (this.#startingRetries) return;
    this.#startingRetries = true;
    try {
      while (retries.due > 0 && !this.#subscriber.closed && this.#service.isReady()) {
        startAttempt(retries.takeDue(), this.#service, this.#policy, this.#subscriber, this);
      }
    } catch (error) {
      this.gate.fail(error);
    } finally {
      this.#startingRetries = false;
    }
  }

  /** The item is done with: it leaves the items in flight, and the room it held may let another in. */
  #finish(call: HandshakeCall<T>): void {
    this.#leave(call);
    this.inFlight--;
    this.#ordered?.done(call.order);
    this.wake();
    this.#completeIfDone();
  }

  /** The item failed for good and the output fails with it (`callErrors: 'fail'`). */
  #fail(call: HandshakeCall<T>, error: unknown): void {
    this.#leave(call);
    this.inFlight--;
    this.gate.droppedAfterDelivery(call.item, 'error');
    if (this.gate.closed) this.error(error);
    else this.gate.fail(error);
  }

  /**
   * The output ended: items that will never be emitted are reported, those whose results wait for an
   * earlier one (with `ordered`) and those waiting to be retried.
   */
  #discardHeld(reason: DropReason): void {
    this.#ordered?.discard((item) => this.gate.droppedAfterDelivery(item, reason));
    for (let call = this.#newest; call !== undefined; call = call.previous) {
      if (call.phase === 'running') continue;
      this.#leave(call);
      call.timer?.unsubscribe();
      this.gate.droppedAfterDelivery(call.item, reason);
    }
  }

  #join(call: HandshakeCall<T>): void {
    call.previous = this.#newest;
    if (this.#newest !== undefined) this.#newest.next = call;
    this.#newest = call;
  }

  /** Leaves the list; `call.previous` stays, so a walk through the list may go on from it. */
  #leave(call: HandshakeCall<T>): void {
    if (call.next === undefined) this.#newest = call.previous;
    else call.next.previous = call.previous;
    if (call.previous !== undefined) call.previous.next = call.next;
    call.next = undefined;
  }

  #completeIfDone(): void {
    if (this.#handedOver && this.inFlight === 0) this.#subscriber.complete();
  }
}
