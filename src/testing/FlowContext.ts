import type * as fc from 'fast-check';
import type { SchedulerLike } from 'rxjs';
import type { DropReason } from 'rxjs-backpressure';

/**
 * What the kit hands a pipeline builder besides the source and the credits, as an optional third
 * argument (a builder that takes only `(source, credits)` is the simple form and works unchanged):
 *
 * - `onDrop`: report every item the pipeline drops, with its reason, so the kit can count it as
 *   accounted for (pass it to `requestCredits`' `onDrop`). A drop not reported here counts as lost.
 * - `scheduler`: the scenario's virtual clock; pass it to anything that uses time (`ttl`, `delay`, ...)
 *   so timers run in virtual time, between the steps they are due before.
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { type CreditProvider, requestCredits } from 'rxjs-backpressure';
 * import type { FlowContext } from 'rxjs-backpressure/testing';
 *
 * const build = (source: Observable<number>, credits: CreditProvider, { onDrop, scheduler }: FlowContext<number>) =>
 *   source.pipe(requestCredits(credits, { ttl: 5, onDrop, scheduler }));
 * ```
 */
export interface FlowContext<T> {
  /** Reports an item the pipeline dropped, and why. */
  readonly onDrop: (item: T, reason: DropReason) => void;
  /** The scenario's virtual clock. */
  readonly scheduler: SchedulerLike;
}

/**
 * The context of {@link checkFlowControlAsync}: a {@link FlowContext} plus `promises`, fast-check's
 * scheduler, which decides when each promise you wrap with it settles. Wrap the promise-based work of
 * the pipeline (a service call) with `promises.schedule(promise)` or `promises.scheduleFunction(fn)`,
 * so the kit can interleave its settling with the scenario's steps in every order.
 *
 * @example
 * ```ts
 * import { concatMap, type Observable } from 'rxjs';
 * import { type CreditProvider, requestCredits } from 'rxjs-backpressure';
 * import type { AsyncFlowContext } from 'rxjs-backpressure/testing';
 *
 * const save = async (n: number) => n;
 * const build = (source: Observable<number>, credits: CreditProvider, context: AsyncFlowContext<number>) => {
 *   const scheduledSave = context.promises.scheduleFunction(save);
 *   return source.pipe(requestCredits(credits, { onDrop: context.onDrop }), concatMap((n) => scheduledSave(n)));
 * };
 * ```
 */
export interface AsyncFlowContext<T> extends FlowContext<T> {
  /** fast-check's scheduler for this run (see `fc.scheduler()`). */
  readonly promises: fc.Scheduler;
}
