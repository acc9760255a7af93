import { isObservable, Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import type { ServiceAtCapacityError } from '../errors/ServiceAtCapacityError.js';
import type { Admission } from '../internal/Admission.js';
import { assertService } from '../internal/assertService.js';
import { describeValue } from '../internal/describeValue.js';
import { Gate } from '../internal/Gate.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { OrderedResults } from '../internal/OrderedResults.js';
import { refusalOf } from '../internal/refusalOf.js';
import { resolveBufferOptions } from '../internal/resolveBufferOptions.js';
import { type ResultOrder, resultOrder } from '../internal/resultOrder.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';
import { monitorOption } from '../monitor/monitorOption.js';
import type { HandshakeProvider } from '../service/HandshakeProvider.js';
import type { Service } from '../service/Service.js';
import type { DropReason } from './DropReason.js';
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
 *   `'error'`), like a waiting item.
 * - A failing `do()` errors the output like `mergeMap` does, and no further `do()` is started; waiting
 *   items are dropped with reason `'error'`. A source error does the same (it does not wait).
 * - Completion of the source completes the output after every waiting item was handed over and every
 *   call in flight delivered its results.
 * - Unsubscribing aborts the `AbortSignal` of every call in flight (an Observable result is also
 *   unsubscribed) and drops waiting items with reason `'unsubscribed'`.
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
 *   .pipe(withHandshake(service, { bufferSize: 100 }))
 *   .subscribe((doubled) => console.log(doubled));
 * ```
 */
export function withHandshake<T, R>(
  service: Service<T, R> | HandshakeProvider<T, R>,
  options?: WithHandshakeOptions<T>,
): OperatorFunction<T, R> {
  assertService(service, 'withHandshake(service)');
  const wakeUps = 'credits$' in service ? toCreditSignal(service, 'withHandshake(service)') : undefined;
  const resolved = resolveBufferOptions(options, 'options', ['ordered', 'key', 'monitor']);
  const ordered = resultOrder(options);
  const monitor = monitorOption(options?.monitor, 'options.monitor');

  return (source) =>
    new Observable<R>((subscriber) => {
      const call = new HandshakeCalls(service, subscriber, ordered, wakeUps === undefined);
      const gate = new Gate<T>(resolved, call, call, () => refusalOf(service));
      call.gate = gate;
      subscriber.add(() => call.release());
      const probe = { ledger: gate, bufferSize: resolved.bufferSize, calls: call, service };
      if (monitor?.watchStage(subscriber, probe) === false) return;
      if (wakeUps !== undefined) {
        subscribeSafely(wakeUps, subscriber, {
          next: () => gate.wake(),
          error: (error) => gate.fail(error),
          complete: () => call.wakeUpsEnded(),
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

/**
 * One subscription's calls: the gate's admission (ask `isReady()`) and its sink (start `do()`),
 * counting calls in flight and putting results in order when asked to.
 */
class HandshakeCalls<T, R> implements Admission<T> {
  gate: Gate<T> | undefined;
  inFlight = 0;

  readonly #service: Service<T, R>;
  readonly #subscriber: Subscriber<R>;
  readonly #abort = new AbortController();
  readonly #ordered: OrderedResults<T, R> | undefined;
  /** Without a credits$ to wake the gate (none, or it completed), each settled call does. */
  #wakeOnSettle: boolean;
  #handedOver = false;

  constructor(
    service: Service<T, R>,
    subscriber: Subscriber<R>,
    ordered: ResultOrder<T> | undefined,
    wakeOnSettle: boolean,
  ) {
    this.#service = service;
    this.#subscriber = subscriber;
    this.#wakeOnSettle = wakeOnSettle;
    this.#ordered = ordered && new OrderedResults((value) => subscriber.next(value), ordered.key);
  }

  admits(): boolean {
    return this.#service.isReady();
  }

  admit(): void {}

  /**
   * The service's credits$ completed: no wake-up will come from it again, so waiting items would wait
   * forever. From now on each settled call wakes the gate, as for a plain Service; the room may be
   * there already.
   */
  wakeUpsEnded(): void {
    this.#wakeOnSettle = true;
    this.gate?.wake();
  }

  /** The gate hands an item over: start the call. */
  next(item: T): void {
    this.inFlight++;
    let call = 0;
    let result: Promise<R> | Observable<R>;
    try {
      call = this.#ordered?.start(item) ?? 0; // a throwing key fails like a throwing do()
      result = this.#service.do(item, this.#abort.signal);
    } catch (error) {
      this.#failed(error);
      return;
    }
    if (isObservable(result)) {
      subscribeSafely(result, this.#subscriber, {
        next: (value) => this.#value(call, value),
        error: (error) => this.#failed(error),
        complete: () => this.#settled(call),
      });
    } else if (isPromiseLike(result)) {
      result.then(
        (value) => {
          if (this.#subscriber.closed) return;
          this.#value(call, value);
          this.#settled(call);
        },
        (error: unknown) => this.#failed(error),
      );
    } else {
      this.#failed(
        new TypeError(
          `service.do(req) must return a Promise or an Observable, got ${describeValue(result)}.`,
        ),
      );
    }
  }

  /** Every waiting item was handed over: complete once the calls in flight are done. */
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
    this.#abort.abort();
  }

  /** Finished calls whose results wait for an earlier one will never be emitted: report their items. */
  #discardHeld(reason: DropReason): void {
    this.#ordered?.discard((item) => this.gate?.dropDelivered(item, reason));
  }

  #value(call: number, value: R): void {
    if (this.#ordered === undefined) this.#subscriber.next(value);
    else this.#ordered.value(call, value);
  }

  #settled(call: number): void {
    this.inFlight--;
    this.#ordered?.done(call);
    if (this.#wakeOnSettle) this.gate?.wake();
    this.#completeIfDone();
  }

  #failed(error: unknown): void {
    this.inFlight--;
    if (this.gate === undefined || this.gate.closed) this.error(error);
    else this.gate.fail(error);
  }

  #completeIfDone(): void {
    if (this.#handedOver && this.inFlight === 0) this.#subscriber.complete();
  }
}
