import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { CreditSource } from '../core/CreditProvider.js';
import { booleanOption, optionalFunction } from '../core/validation.js';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { CreditAdmission } from '../internal/CreditAdmission.js';
import { Gate } from '../internal/Gate.js';
import { GateSubscriber } from '../internal/GateSubscriber.js';
import { resolveBufferOptions } from '../internal/resolveBufferOptions.js';
import { StallWatch } from '../internal/StallWatch.js';
import { subscribeCredits } from '../internal/subscribeCredits.js';
import { subscribeSafelyThrough, type UpstreamHandlers } from '../internal/subscribeSafely.js';
import { monitorOption } from '../monitor/monitorOption.js';
import type { RequestCreditsOptions } from './RequestCreditsOptions.js';

/** What a stalled requestCredits holds, or `undefined` when it holds nothing back. */
function creditStall(buffered: number, outstanding: number): string | undefined {
  if (buffered === 0) return undefined;
  return `requestCredits stalled: it holds ${buffered} ${buffered === 1 ? 'item' : 'items'} in its buffer and ${outstanding === 0 ? 'no credit' : `${outstanding} credit, too little for the next item`}. Does a step after it drop or merge items, so the credits its consumer grants per item never come back? Grant per source item when its work is done, or use mergeMapWithCredits`;
}

/**
 * Lets a source item through only against a granted credit, and holds back or drops the rest by the
 * chosen strategy. The credit signal (a {@link CreditProvider}'s `credits$`, or any
 * `Observable<number>`) carries grants: `n` means "`n` more items may be delivered".
 *
 * ```text
 * source:   --a--b--c--d--------|
 * credits:  1--------2----1--------
 * output:   --a--------(bc)-d---|      strategy 'buffer'
 * ```
 *
 * - Never more items downstream than credits granted (Reactive Streams §1.1); with `cost`, an item
 *   passes only when outstanding credit covers its cost. `Infinity` (or a total beyond
 *   `MAX_SAFE_INTEGER`) means unbounded: items then pass straight through (§3.17).
 * - Items without credit follow `strategy` (see {@link BufferOptions}); every dropped item goes to
 *   `onDrop` with its {@link DropReason}, so `received = delivered + dropped + buffered` always holds.
 * - The credit signal is subscribed before the source, so credit granted synchronously applies to a
 *   synchronous source. Grants made synchronously inside the downstream `next` are handled by one
 *   drain loop, never by recursion (§3.3).
 * - Completion waits for the buffer to empty (completion itself needs no credit). A source error
 *   waits likewise with `delayError` (the default), or cuts ahead without it, dropping the buffered
 *   items with reason `'error'`. Errors the operator raises itself (overflow, no credit under
 *   `'error'`, a bad grant, a throwing callback) and errors of the credit signal are immediate.
 * - When the credit signal completes, outstanding credit is still used and the strategy goes on
 *   applying; once the source has completed too, items that can never get credit are dropped with
 *   reason `'no-credit'` and the output completes, rather than waiting forever.
 * - Unsubscribing releases the source, the credit signal and the `ttl` timer at once, and reports
 *   every buffered item as `'unsubscribed'`.
 * - In Node.js, when the event loop empties while items wait in the buffer for credit, one line on
 *   stderr says so (see {@link pullFrom}; `RXJS_BACKPRESSURE_STALL_WARNING=off` silences it).
 * - Bad grants on the credit signal (0, negative, fractional, NaN, non-numbers) error the output with
 *   a `RangeError` or `TypeError`; bad options throw when the operator is created.
 *
 * @example
 * ```ts
 * import { interval, take } from 'rxjs';
 * import { CreditController, requestCredits } from 'rxjs-backpressure';
 *
 * const credits = new CreditController({ initial: 1 });
 * interval(1)
 *   .pipe(
 *     take(100),
 *     requestCredits(credits, { bufferSize: 10, overflow: 'drop-oldest', onDrop: (n) => console.log('dropped', n) }),
 *   )
 *   .subscribe((n) => {
 *     setTimeout(() => credits.grant(1), 10); // a slow consumer asks for one more when done
 *   });
 * ```
 */
export function requestCredits<T>(
  credits: CreditSource,
  options?: RequestCreditsOptions<T>,
): MonoTypeOperatorFunction<T> {
  const signal = toCreditSignal(credits, 'requestCredits(credits)');
  const resolved = resolveBufferOptions(options, 'options', ['cost', 'delayError', 'monitor']);
  const cost = optionalFunction(options?.cost, 'options.cost');
  const delayError = booleanOption(options?.delayError ?? true, 'options.delayError');
  const monitor = monitorOption(options?.monitor, 'options.monitor');

  return (source) =>
    new Observable<T>((subscriber) => {
      const admission = new CreditAdmission<T>(cost);
      const gate = new Gate<T>(resolved, admission, subscriber);
      // Registered first, so an unsubscription during a synchronous subscription releases at once.
      subscriber.add(() => gate.release());
      // Only a buffer can hold items back for good; the other strategies drop or fail instead. A bridge's
      // buffer holds what its consumer has not asked for yet: that is the consumer's business.
      if (
        resolved.bridge === undefined &&
        (resolved.strategy === 'buffer' || resolved.strategy === 'latest')
      ) {
        subscriber.add(new StallWatch(() => creditStall(gate.buffered, admission.outstanding)));
      }
      resolved.bridge?.watchLedger?.(gate);
      const probe = { ledger: gate, bufferSize: resolved.bufferSize, credit: admission };
      if (monitor?.watchStage(subscriber, probe) === false) return;
      const grants: UpstreamHandlers<number> = {
        next: (grant) => {
          admission.grant(grant);
          gate.wake();
        },
        error: (error) => gate.fail(error),
        complete: () => gate.admissionEnded(),
      };
      // The admission is the account a rateCredits bucket learns this stage's spending from.
      subscribeCredits(signal, subscriber, grants, admission);
      if (!gate.closed) {
        subscribeSafelyThrough(source, subscriber, new GateSubscriber(gate, delayError));
      }
    });
}
