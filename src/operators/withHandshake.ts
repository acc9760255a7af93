import { Observable, type OperatorFunction } from 'rxjs';
import type { HandshakeProvider } from '../core/HandshakeProvider.js';
import type { Service } from '../core/Service.js';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import type { ServiceAtCapacityError } from '../errors/ServiceAtCapacityError.js';
import { assertService } from '../internal/assertService.js';
import { GateSubscriber } from '../internal/GateSubscriber.js';
import { resolveBufferOptions } from '../internal/resolveBufferOptions.js';
import { subscribeSafely, subscribeSafelyThrough } from '../internal/subscribeSafely.js';
import { monitorOption } from '../monitor/monitorOption.js';
import { HandshakeCalls } from './internal/HandshakeCalls.js';
import { resolveCallPolicy } from './internal/resolveCallPolicy.js';
import { resultOrder } from './internal/resultOrder.js';
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
      const calls = new HandshakeCalls(service, subscriber, resolved, ordered, policy);
      const { gate } = calls;
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
      // A source error fails the output at once: the gate does not delay it.
      if (!gate.closed) subscribeSafelyThrough(source, subscriber, new GateSubscriber(gate, false));
    });
}
