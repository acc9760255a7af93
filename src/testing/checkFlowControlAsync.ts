import * as fc from 'fast-check';
import type { CheckFlowControlOptions } from './CheckFlowControlOptions.js';
import type { FlowScenario } from './flowScenario.js';
import { executeScenarioAsync } from './internal/executeScenarioAsync.js';
import { type Minimized, minimizeScenario } from './internal/minimizeScenario.js';
import { type FailedRun, findFailure, reportCheckFailure } from './internal/reportCheckFailure.js';
import { resolveCheckOptions } from './internal/resolveCheckOptions.js';
import type { AsyncPipelineBuilder } from './PipelineBuilder.js';

/**
 * {@link checkFlowControl} for pipelines whose work is promise-based (a service call, a database
 * write), where virtual time cannot reach: each run also gets a fast-check scheduler
 * (`fc.scheduler()`, made from a seed the run draws), handed to `build` as `context.promises`. Wrap the pipeline's promises with it
 * (`promises.schedule(p)`, `promises.scheduleFunction(fn)`) and the kit settles them one at a time,
 * interleaved in every order with the scenario's steps, themselves scheduled tasks. Quiet moments,
 * where the liveness invariants are checked, are the times when no wrapped promise is pending;
 * an item in flight in a service counts as held. So an item still in flight when the output is
 * unsubscribed, or when an error cuts ahead of it (`concatMap` and `mergeMap` do), counts as lost
 * unless the pipeline reports it through `onDrop`; leave those steps out with
 * `scenario: { unsubscribe: false, error: false }` if cancelled work is fine for you.
 *
 * Options and report are those of `checkFlowControl` (the counterexample is shrunk further, replaying
 * the counterexample's promise schedule); a bad argument throws at the call, before any promise. Promises the pipeline does not wrap
 * still settle, in their natural order; real timers are not waited for. After the last step, at most
 * 1000 more wrapped promises settle (as virtual time runs on for at most a second), so promise work
 * that never ends, such as polling, ends the run instead of hanging it.
 *
 * @example
 * ```ts
 * import { mergeMap } from 'rxjs';
 * import { requestCredits } from 'rxjs-backpressure';
 * import { checkFlowControlAsync } from 'rxjs-backpressure/testing';
 *
 * const save = async (n: number): Promise<number> => n; // stands for a real service call
 *
 * await checkFlowControlAsync(
 *   (source, credits, { onDrop, promises }) =>
 *     source.pipe(
 *       requestCredits(credits, { onDrop }),
 *       mergeMap((n) => promises.schedule(save(n)), 1), // one at a time keeps the order
 *     ),
 *   { numRuns: 50, scenario: { unsubscribe: false, error: false } }, // both cancel work in flight
 * );
 * ```
 */
export function checkFlowControlAsync<T = number, R = T>(
  build: AsyncPipelineBuilder<T, R>,
  options?: CheckFlowControlOptions<T, R>,
): Promise<void> {
  const { invariants, output, scenarios, parameters } = resolveCheckOptions(
    build,
    options,
    'checkFlowControlAsync',
  );
  // A run draws the seed of its scheduler rather than the scheduler itself: copies of one fast-check
  // scheduler share their random state, so only a scheduler made afresh from a seed replays the same
  // choices (as replays and the extra shrinking need).
  type Failed = { run: FailedRun<T>; promises: fc.Scheduler };
  const run = async (scenario: FlowScenario<T>, scheduleSeed: number): Promise<Failed | undefined> => {
    const [promises] = fc.sample(fc.scheduler(), { seed: scheduleSeed, numRuns: 1 });
    if (promises === undefined) throw new Error('fast-check drew no scheduler.');
    const failure = findFailure(
      scenario,
      await executeScenarioAsync(scenario, build, promises, output),
      invariants,
    );
    return failure && { run: failure, promises };
  };
  return (async () => {
    // The last run that failed is the counterexample fast-check's shrinking ends on.
    let lastFailure: { failed: Failed; scheduleSeed: number } | undefined;
    const details = await fc.check(
      fc.asyncProperty(scenarios, fc.integer(), async (scenario: FlowScenario<T>, scheduleSeed) => {
        const failed = await run(scenario, scheduleSeed);
        if (failed === undefined) return true;
        lastFailure = { failed, scheduleSeed };
        return false;
      }),
      parameters,
    );
    if (!details.failed) return;
    let minimal: Minimized<T, Failed> | undefined;
    if (lastFailure !== undefined) {
      const { failed, scheduleSeed } = lastFailure;
      const minimizing = minimizeScenario(failed.run.scenario, failed);
      let next = minimizing.next();
      while (next.done !== true) next = minimizing.next(await run(next.value, scheduleSeed));
      minimal = next.value;
    }
    throw reportCheckFailure({
      check: 'checkFlowControlAsync',
      details,
      failure: minimal?.failure.run,
      invariants,
      extraShrinks: minimal?.shrinks,
      schedule: minimal && String(minimal.failure.promises),
    });
  })();
}
