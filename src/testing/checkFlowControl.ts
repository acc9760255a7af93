import * as fc from 'fast-check';
import type { CheckFlowControlOptions } from './CheckFlowControlOptions.js';
import type { FlowScenario } from './flowScenario.js';
import { executeScenario } from './internal/executeScenario.js';
import { type Minimized, minimizeScenario } from './internal/minimizeScenario.js';
import { type FailedRun, findFailure, reportCheckFailure } from './internal/reportCheckFailure.js';
import { resolveCheckOptions } from './internal/resolveCheckOptions.js';
import type { PipelineBuilder } from './PipelineBuilder.js';

/**
 * Property-tests the flow control of a pipeline: runs `numRuns` random {@link flowScenario}s through
 * the pipeline `build` makes (see {@link runScenario} for how a run works) and checks every
 * invariant on each trace. On the first failure fast-check shrinks the scenario, and this throws a
 * {@link FlowControlViolationError} whose message is a readable report: which invariant broke and how,
 * the shrunk scenario, its timeline, and the seed and path, so adding them to the same options
 * (`checkFlowControl(build, { ...options, seed, path })`) replays it. Report drops through the context's `onDrop` (the optional third argument of `build`) or
 * they count as lost. Bad arguments throw a `TypeError` or `RangeError` naming the value at once.
 *
 * @example
 * ```ts
 * import { requestCredits } from 'rxjs-backpressure';
 * import { checkFlowControl } from 'rxjs-backpressure/testing';
 *
 * checkFlowControl((source, credits, { onDrop }) =>
 *   source.pipe(requestCredits(credits, { strategy: 'latest', onDrop })),
 * );
 * ```
 */
export function checkFlowControl<T = number, R = T>(
  build: PipelineBuilder<T, R>,
  options?: CheckFlowControlOptions<T, R>,
): void {
  const { invariants, output, scenarios, parameters } = resolveCheckOptions(
    build,
    options,
    'checkFlowControl',
  );
  const run = (scenario: FlowScenario<T>): FailedRun<T> | undefined =>
    findFailure(scenario, executeScenario(scenario, build, output), invariants);
  // The last run that failed is the counterexample fast-check's shrinking ends on.
  let lastFailure: FailedRun<T> | undefined;
  const details = fc.check(
    fc.property(scenarios, (scenario) => {
      const failure = run(scenario);
      if (failure === undefined) return true;
      lastFailure = failure;
      return false;
    }),
    parameters,
  );
  if (!details.failed) return;
  let minimal: Minimized<T, FailedRun<T>> | undefined;
  if (lastFailure !== undefined) {
    const minimizing = minimizeScenario(lastFailure.scenario, lastFailure);
    let next = minimizing.next();
    while (next.done !== true) next = minimizing.next(run(next.value));
    minimal = next.value;
  }
  throw reportCheckFailure({
    check: 'checkFlowControl',
    details,
    failure: minimal?.failure,
    invariants,
    extraShrinks: minimal?.shrinks,
  });
}
