import type { Observable } from 'rxjs';
import type { CreditProvider } from 'rxjs-backpressure';
import type { AsyncFlowContext, FlowContext } from './FlowContext.js';

/**
 * Builds the pipeline under test from the scenario's `source` and the consumer's `credits`, once per
 * run. The third argument ({@link FlowContext}) is optional: `(source, credits) => ...` is enough for a
 * pipeline that never drops and never uses time.
 *
 * @example
 * ```ts
 * import { requestCredits } from 'rxjs-backpressure';
 * import type { PipelineBuilder } from 'rxjs-backpressure/testing';
 *
 * const build: PipelineBuilder<string, string> = (source, credits) => source.pipe(requestCredits(credits));
 * ```
 */
export type PipelineBuilder<T, R> = (
  source: Observable<T>,
  credits: CreditProvider,
  context: FlowContext<T>,
) => Observable<R>;

/**
 * The builder of {@link checkFlowControlAsync}: like {@link PipelineBuilder}, with an
 * {@link AsyncFlowContext} whose `promises` scheduler wraps the pipeline's promise-based work.
 *
 * @example
 * ```ts
 * import { mergeMap } from 'rxjs';
 * import { requestCredits } from 'rxjs-backpressure';
 * import type { AsyncPipelineBuilder } from 'rxjs-backpressure/testing';
 *
 * const build: AsyncPipelineBuilder<number, number> = (source, credits, { promises }) =>
 *   source.pipe(requestCredits(credits), mergeMap((n) => promises.schedule(Promise.resolve(n * 2))));
 * ```
 */
export type AsyncPipelineBuilder<T, R> = (
  source: Observable<T>,
  credits: CreditProvider,
  context: AsyncFlowContext<T>,
) => Observable<R>;
