import {
  Observable,
  type OperatorFunction,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from 'rxjs';
import type { DropReason } from '../core/DropReason.js';
import type { HandshakeProvider } from '../core/HandshakeProvider.js';
import type { Service } from '../core/Service.js';
import {
  isPositiveCount,
  numberOption,
  oneOf,
  optionsObject,
  refuseUnknownKeys,
} from '../core/validation.js';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { CallTimeoutError } from '../errors/CallTimeoutError.js';
import type { ServiceAtCapacityError } from '../errors/ServiceAtCapacityError.js';
import type { Admission } from '../internal/Admission.js';
import { assertService } from '../internal/assertService.js';
import { backoffDelay } from '../internal/backoffDelay.js';
import { followResult } from '../internal/followResult.js';
import { Gate } from '../internal/Gate.js';
import { OrderedResults } from '../internal/OrderedResults.js';
import { RingBuffer } from '../internal/RingBuffer.js';
import { refusalOf } from '../internal/refusalOf.js';
import { resolveBufferOptions } from '../internal/resolveBufferOptions.js';
import { retryWait } from '../internal/retryWait.js';
import { callSignals } from '../internal/SignalPool.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';
import { timeoutOption } from '../internal/timeoutOption.js';
import { monitorOption } from '../monitor/monitorOption.js';
import {
  type ResolvedRetryOptions,
  resolveRetryOptions,
  retryOptionKeys,
} from './internal/resolveRetryOptions.js';
import { type ResultOrder, resultOrder } from './internal/resultOrder.js';
import type { retryWithBackoff } from './retryWithBackoff.js';
import type { WithHandshakeOptions } from './WithHandshakeOptions.js';

/**
 * Sends each item to a service only after the service said it is ready: for each item
 * `withHandshake` asks `isReady()`, and only when it answers `true` calls `do(item)` and merges the
 * result downstream. `do()` is never called on a service that said it is not ready.
 *
 * ```text
 * source:    -a-b-c-d------|
 * isReady:   TT F F  T T          (capacity 2; each call takes 4 frames)
 * output:    -----A-B--C-D-|      strategy 'buffer'
 * ```
 *
 * - While the service is not ready, items follow `strategy` exactly as in {@link requestCredits}:
 *   `'buffer'` waits (bounded, by priority when given), `'drop'`, `'latest'`, or `'error'`, which
 *   fails with {@link ServiceAtCapacityError}: the plain handshake.
 * - Waiting items are woken by the service's `credits$` when it has one (a {@link HandshakeProvider}),
 *   never by polling a timer; `credits$` is only a wake-up call, `isReady()` decides. A plain
 *   {@link Service} without `credits$` (or one whose `credits$` has completed) is retried each time a
 *   call made through this operator settles, so it cannot see room freed by other callers: give such
 *   services a `credits$` when they are shared.
 * - Results come in completion order, like `mergeMap`, in input order with `ordered: true`, or in
 *   input order within each key with `ordered: 'per-key'` and `key`. A `do()` that returns an
 *   Observable may emit any number of values. When ordered, a finished call whose results still wait
 *   for an earlier one when the output ends has its item reported dropped (`'unsubscribed'`, or
 *   `'error'`), like a waiting item. A `key` that throws fails the output, whatever `callErrors` says.
 * - Each call gets its own `AbortSignal`, aborted when the call is abandoned (its `timeout` passed, or
 *   the output ended: an Observable result is also unsubscribed); no two calls in flight share one,
 *   so `fetch(url, { signal })` leaves no listener behind on another call's signal. A signal that
 *   nothing listened to (no listener, no `onabort`, no `fetch`) and that was not aborted may serve a
 *   later call once its own call is over: Node builds signals slowly, and this keeps a fast service
 *   fast. Read a signal while its call runs, not after; `AbortSignal.any([signal, ...])` does not
 *   count as listening, so a signal derived that way must not outlive the call either.
 * - A failing call (after its `retry`, when given) fails its item: by default (`callErrors: 'fail'`)
 *   it errors the output like `mergeMap` does, no further `do()` is started and waiting items are
 *   dropped with reason `'error'`; with `callErrors: 'drop'` the item is dropped with reason `'error'`
 *   and the others go on. A failed item is counted dropped, never delivered. A source error fails the
 *   output at once (it does not wait).
 * - With `retry`, a failed call is tried again after a backoff (the formula of
 *   {@link retryWithBackoff}, `retryAfter` honoured up to `maxDelay`), through the handshake: the item
 *   asks `isReady()` again, before any item that never ran. Items in backoff count toward
 *   `concurrency`, so waiting never lets more work in; the source is never resubscribed.
 * - Completion of the source completes the output after every waiting item was handed over and every
 *   call in flight (retries included) delivered its results.
 * - Unsubscribing aborts the `AbortSignal` of every call in flight and drops waiting items, and items
 *   waiting for a retry, with reason `'unsubscribed'`.
 *
 * @example
 * ```ts
 * import { range } from 'rxjs';
 * import { TrackedService, withHandshake } from 'rxjs-backpressure';
 *
 * const service = new TrackedService({
 *   capacity: 4,
 *   handler: async (n: number) => n * 2,
 * });
 * range(0, 100)
 *   .pipe(withHandshake(service, { bufferSize: 100, timeout: 1_000, retry: { maxAttempts: 3 } }))
 *   .subscribe((doubled) => console.log(doubled));
 * ```
 */
export function withHandshake<T, R>(
  service: Service<T, R> | HandshakeProvider<T, R>,
  options?: WithHandshakeOptions<T>,
): OperatorFunction<T, R> {
  assertService(service, 'withHandshake(service)');
  const wakeUps = 'credits$' in service ? toCreditSignal(service, 'withHandshake(service)') : undefined;
  const resolved = resolveBufferOptions(options, 'options', [
    'ordered',
    'key',
    'monitor',
    'callErrors',
    'retry',
    'timeout',
    'concurrency',
  ]);
  const ordered = resultOrder(options);
  const monitor = monitorOption(options?.monitor, 'options.monitor');
  const policy = resolveCallPolicy(options, resolved.scheduler);

  return (source) =>
    new Observable<R>((subscriber) => {
      const calls = new HandshakeCalls(service, subscriber, ordered, policy);
      const gate = new Gate<T>(resolved, calls, calls, () => refusalOf(service));
      calls.gate = gate;
      subscriber.add(() => calls.release());
      const probe = { ledger: gate, bufferSize: resolved.bufferSize, calls, service };
      if (monitor?.watchStage(subscriber, probe) === false) return;
      if (wakeUps !== undefined) {
        subscribeSafely(wakeUps, subscriber, {
          next: () => calls.wake(),
          error: (error) => gate.fail(error),
          complete: () => calls.wake(),
        });
      }
      if (!gate.closed) {
        subscribeSafely(source, subscriber, {
          next: (item) => gate.offer(item),
          error: (error) => gate.sourceError(error, false),
          complete: () => gate.sourceComplete(),
        });
      }
    });
}

/** What one operator does with its calls: checked once, shared by its subscriptions. */
interface CallPolicy {
  readonly callErrors: 'fail' | 'drop';
  readonly retry: ResolvedRetryOptions | undefined;
  readonly timeout: number | undefined;
  /** `undefined`: the service's own `capacity`, read at each admission (it may change). */
  readonly concurrency: number | undefined;
  readonly scheduler: SchedulerLike;
}

const callErrorPolicies = ['fail', 'drop'] as const;
function resolveCallPolicy<T>(
  options: WithHandshakeOptions<T> | undefined,
  scheduler: SchedulerLike,
): CallPolicy {
  const callErrors = oneOf(options?.callErrors ?? 'fail', callErrorPolicies, 'options.callErrors');
  let retry: ResolvedRetryOptions | undefined;
  if (options?.retry !== undefined) {
    const given = optionsObject(options.retry, 'options.retry');
    refuseUnknownKeys(given, retryOptionKeys, 'options.retry');
    retry = resolveRetryOptions(given, 'options.retry', scheduler);
  }
  const timeout =
    options?.timeout === undefined ? undefined : timeoutOption(options.timeout, 'options.timeout');
  const concurrency =
    options?.concurrency === undefined
      ? undefined
      : numberOption(
          options.concurrency,
          'options.concurrency',
          'a positive integer or Infinity',
          (n) => n === Number.POSITIVE_INFINITY || isPositiveCount(n),
        );
  return { callErrors, retry, timeout, concurrency, scheduler };
}

/**
 * One item's way through the service, from its first call to its last. `controller` belongs to the
 * running attempt only; an outcome that arrives for another attempt (one that timed out) is ignored.
 */
class HandshakeCall<T> {
  readonly item: T;
  /** Its place in the output order (with `ordered`). */
  readonly order: number;
  /** `'backoff'`: waiting out the delay before a retry; `'waiting'`: then for `isReady()`. */
  phase: 'running' | 'backoff' | 'waiting' = 'running';
  attempt = 0;
  /** The backoff before this one, which decorrelated jitter grows from. */
  previousDelay = 0;
  controller: AbortController | undefined;
  /** The running attempt's timeout, or the backoff before the next attempt. */
  timer: Subscription | undefined;
  /** The running attempt's Observable result. */
  inner: Subscription | undefined;
  /** Its neighbours in the list of items in flight (a list, so joining and leaving allocate nothing). */
  previous: HandshakeCall<T> | undefined;
  next: HandshakeCall<T> | undefined;

  constructor(item: T, order: number) {
    this.item = item;
    this.order = order;
  }
}

/**
 * One subscription's calls: the gate's admission (ask `isReady()`) and its sink (start `do()`),
 * counting items in flight (running or waiting to be retried) and putting results in order when asked
 * to.
 */
class HandshakeCalls<T, R> implements Admission<T> {
  gate: Gate<T> | undefined;
  /** Items handed over and not finished: calls running, and items waiting to be retried. */
  inFlight = 0;

  readonly #service: Service<T, R>;
  readonly #subscriber: Subscriber<R>;
  readonly #policy: CallPolicy;
  readonly #ordered: OrderedResults<T, R> | undefined;
  /** The newest item in flight; the list runs through `previous`. */
  #newest: HandshakeCall<T> | undefined;
  /** Items whose backoff is over, waiting for `isReady()`: they go before any new item. */
  readonly #retries = new RingBuffer<HandshakeCall<T>>();
  #startingRetries = false;
  #handedOver = false;

  constructor(
    service: Service<T, R>,
    subscriber: Subscriber<R>,
    ordered: ResultOrder<T> | undefined,
    policy: CallPolicy,
  ) {
    this.#service = service;
    this.#subscriber = subscriber;
    this.#policy = policy;
    this.#ordered = ordered && new OrderedResults((value) => subscriber.next(value), ordered.key);
  }

  admits(): boolean {
    return this.#retries.size === 0 && this.inFlight < this.#concurrency() && this.#service.isReady();
  }

  admit(): void {}

  /** The service may have room (a credit, a settled call): retries first, then waiting items. */
  wake(): void {
    if (this.#retries.size > 0) this.#startRetries();
    this.gate?.wake();
  }

  /** The gate hands an item over: start its first call. */
  next(item: T): void {
    let order: number;
    try {
      order = this.#ordered?.start(item) ?? 0;
    } catch (error) {
      // A key that throws is a bug in the pipeline, not a failed call: no policy retries it.
      this.gate?.dropDelivered(item, 'error');
      this.gate?.fail(error);
      return;
    }
    this.inFlight++;
    const call = new HandshakeCall(item, order);
    this.#join(call);
    this.#attempt(call);
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
    this.gate?.release();
    this.#discardHeld('unsubscribed');
    for (let call = this.#newest; call !== undefined; call = call.previous) this.#abandon(call);
    this.#newest = undefined;
  }

  #concurrency(): number {
    const { concurrency } = this.#policy;
    if (concurrency !== undefined) return concurrency;
    const { capacity } = this.#service as { capacity?: unknown };
    return typeof capacity === 'number' ? capacity : Number.POSITIVE_INFINITY;
  }

  #attempt(call: HandshakeCall<T>): void {
    call.phase = 'running';
    call.attempt++;
    const controller = callSignals.take();
    call.controller = controller;
    const { timeout, scheduler } = this.#policy;
    if (timeout !== undefined) {
      call.timer = scheduler.schedule(() => this.#timedOut(call, controller, timeout), timeout);
    }
    let result: Promise<R> | Observable<R>;
    try {
      result = this.#service.do(call.item, controller.signal);
    } catch (error) {
      this.#attemptFailed(call, controller, error);
      return;
    }
    const inner = followResult(result, 'service.do(req)', 'refused', this.#subscriber, {
      next: (value) => {
        if (call.controller === controller) this.#value(call, value);
      },
      error: (error) => this.#attemptFailed(call, controller, error),
      complete: () => this.#succeeded(call, controller),
    });
    if (inner !== undefined && call.controller === controller) call.inner = inner;
  }

  /** The attempt is over (whatever its outcome): stop its timer and forget its result. */
  #endAttempt(call: HandshakeCall<T>): void {
    call.controller = undefined;
    call.timer?.unsubscribe();
    call.timer = undefined;
    call.inner?.unsubscribe();
    call.inner = undefined;
  }

  /** The attempt settled by itself: its signal may serve a later call (see SignalPool). */
  #settledAttempt(call: HandshakeCall<T>, controller: AbortController): void {
    this.#endAttempt(call);
    callSignals.give(controller);
  }

  /** The output ended, or the attempt timed out: abort the call's signal, stop its result and timers. */
  #abandon(call: HandshakeCall<T>): void {
    const controller = call.controller;
    this.#endAttempt(call);
    controller?.abort();
  }

  #timedOut(call: HandshakeCall<T>, controller: AbortController, timeout: number): void {
    if (call.controller !== controller) return;
    call.timer = undefined;
    const error = new CallTimeoutError(timeout);
    this.#endAttempt(call);
    controller.abort(error);
    this.#itemFailed(call, error);
  }

  #succeeded(call: HandshakeCall<T>, controller: AbortController): void {
    if (call.controller !== controller) return;
    this.#settledAttempt(call, controller);
    this.#finish(call);
  }

  #attemptFailed(call: HandshakeCall<T>, controller: AbortController, error: unknown): void {
    if (call.controller !== controller) return;
    this.#settledAttempt(call, controller);
    this.#itemFailed(call, error);
  }

  /** The attempt failed: retry the item after a backoff, or fail it as `callErrors` says. */
  #itemFailed(call: HandshakeCall<T>, error: unknown): void {
    if (this.#subscriber.closed) return;
    const { retry } = this.#policy;
    let retrying = false;
    if (retry !== undefined && call.attempt < retry.maxAttempts) {
      try {
        retrying = retry.retryIf(error, call.attempt);
      } catch (thrown) {
        this.#fail(call, thrown);
        return;
      }
    }
    if (retrying) {
      this.#backOff(call, error, retry as ResolvedRetryOptions);
    } else if (this.#policy.callErrors === 'drop') {
      this.gate?.dropDelivered(call.item, 'error');
      this.#finish(call);
    } else {
      this.#fail(call, error);
    }
  }

  #backOff(call: HandshakeCall<T>, error: unknown, retry: ResolvedRetryOptions): void {
    const { policy } = retry;
    const previous = call.attempt === 1 ? policy.initialDelay : call.previousDelay;
    call.previousDelay = backoffDelay(policy, call.attempt, previous, Math.random);
    call.phase = 'backoff';
    call.timer = retry.scheduler.schedule(
      () => {
        call.timer = undefined;
        call.phase = 'waiting';
        this.#retries.push(call, 0);
        this.wake();
      },
      retryWait(call.previousDelay, error, policy.maxDelay),
    );
    // The failed attempt freed its slot at the service, which other items may use within concurrency.
    this.wake();
  }

  /** Starts the items whose backoff is over while the service is ready, one loop however re-entered. */
  #startRetries(): void {
    if (this.#startingRetries) return;
    this.#startingRetries = true;
    try {
      while (this.#retries.size > 0 && !this.#subscriber.closed && this.#service.isReady()) {
        this.#attempt(this.#retries.shift());
      }
    } catch (error) {
      this.gate?.fail(error);
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
    this.gate?.dropDelivered(call.item, 'error');
    if (this.gate === undefined || this.gate.closed) this.error(error);
    else this.gate.fail(error);
  }

  /**
   * The output ended: items that will never be emitted are reported, those whose results wait for an
   * earlier one (with `ordered`) and those waiting to be retried.
   */
  #discardHeld(reason: DropReason): void {
    this.#ordered?.discard((item) => this.gate?.dropDelivered(item, reason));
    for (let call = this.#newest; call !== undefined; call = call.previous) {
      if (call.phase === 'running') continue;
      this.#leave(call);
      call.timer?.unsubscribe();
      this.gate?.dropDelivered(call.item, reason);
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

  #value(call: HandshakeCall<T>, value: R): void {
    if (this.#ordered === undefined) this.#subscriber.next(value);
    else this.#ordered.value(call.order, value);
  }

  #completeIfDone(): void {
    if (this.#handedOver && this.inFlight === 0) this.#subscriber.complete();
  }
}
