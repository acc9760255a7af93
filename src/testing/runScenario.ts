import { describeValue, knownOptions } from '../core/validation.js';
import type { FlowTrace } from './FlowTrace.js';
import type { FlowScenario } from './flowScenario.js';
import { executeScenario } from './internal/executeScenario.js';
import { resolveOutputRule } from './internal/resolveOutputRule.js';
import { validateScenario } from './internal/validateScenario.js';
import type { OutputRule } from './OutputRule.js';
import type { PipelineBuilder } from './PipelineBuilder.js';

/**
 * Runs one {@link FlowScenario} through the pipeline that `build` makes, synchronously in virtual time,
 * and returns the {@link FlowTrace} of everything that happened.
 *
 * The kit plays both ends. The source is hot: each `'emit'` step goes to the source's current
 * subscribers. The consumer holds a `CreditController` (its `credits$` is what `credits` carries),
 * makes the scenario's grants and subscribes to the output at time 0. Time moves only between steps:
 * before a step, every virtual timer due by its time runs; after the last, time runs on until no
 * timer is left (up to 1000 ms more). Drops count only when the pipeline reports them through the
 * context's `onDrop` (the third argument of `build`, optional: `(source, credits) => ...` is the simple
 * form). Whatever the run still holds at the end is released without being recorded.
 *
 * A bad scenario throws a `TypeError` or `RangeError` naming the step; an exception inside the run
 * (the pipeline throwing out of `next`, a teardown failing) is rethrown. A run that never settles
 * throws rather than hangs: once 100,000 timer actions have run at one virtual instant (a timer of no
 * delay rescheduling itself, like `interval(0, scheduler)`, keeps time from moving on), it throws a
 * `BackpressureError` of code `'ERR_SCENARIO_RUNAWAY'`.
 *
 * @example
 * ```ts
 * import { requestCredits } from 'rxjs-backpressure';
 * import { runScenario } from 'rxjs-backpressure/testing';
 *
 * const trace = runScenario(
 *   {
 *     initialCredit: 0,
 *     steps: [
 *       { at: 0, kind: 'emit', item: 'a' },
 *       { at: 0, kind: 'emit', item: 'b' },
 *       { at: 2, kind: 'grantInNext', credits: 1 },
 *       { at: 2, kind: 'grant', credits: 1 },
 *       { at: 3, kind: 'complete' },
 *     ],
 *   },
 *   (source, credits) => source.pipe(requestCredits(credits)),
 * );
 * console.log(trace.delivered); // ['a', 'b']: 'b' on the grant made inside the next of 'a'
 * ```
 */
export function runScenario<T, R>(
  scenario: FlowScenario<T>,
  build: PipelineBuilder<T, R>,
  options?: { readonly output?: OutputRule<T, R> | undefined },
): FlowTrace<T, R> {
  validateScenario(scenario, 'runScenario(scenario, build): scenario');
  if (typeof build !== 'function') {
    throw new TypeError(
      `runScenario(scenario, build): build must be a function returning an Observable, got ${describeValue(build)}.`,
    );
  }
  const given = knownOptions(options, ['output'], 'runScenario(scenario, build, options): options');
  const output = resolveOutputRule(given.output, 'runScenario(scenario, build, options): options.output');
  const { trace, thrown } = executeScenario(scenario, build, output);
  if (thrown !== undefined) throw thrown.error;
  return trace;
}
