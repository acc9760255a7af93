import type * as fc from 'fast-check';
import type { FlowScenario } from '../flowScenario.js';
import type { AsyncPipelineBuilder } from '../PipelineBuilder.js';
import type { ResolvedOutputRule } from './resolveOutputRule.js';
import { type ScenarioOutcome, ScenarioRun } from './ScenarioRun.js';

// Enough turns of the microtask queue for a settled promise to reach RxJS and the pipeline (fast-check
// waits as many in `waitFor`); no real time passes.
const microtaskTurns = 50;

/**
 * How many scheduled promises may still settle once the last step has run: the promise counterpart
 * of the virtual clock's horizon, so work that never ends (a pipeline polling a service) ends the run
 * instead of hanging it, and with it the test runner, whose timeouts cannot fire between microtasks.
 */
const settleBudget = 1000;

async function flushMicrotasks(): Promise<void> {
  for (let turn = 0; turn < microtaskTurns; turn++) await Promise.resolve();
}

/**
 * Runs a (valid) scenario with promise-based work scheduled by fast-check: each step is itself a task
 * of `promises`, so the scheduler interleaves the steps with the settling of the pipeline's promises
 * in every order. Quiet moments are the times when no promise is pending but the next step.
 */
export async function executeScenarioAsync<T, R>(
  scenario: FlowScenario<T>,
  build: AsyncPipelineBuilder<T, R>,
  promises: fc.Scheduler,
  output?: ResolvedOutputRule<T, R>,
): Promise<ScenarioOutcome<T, R>> {
  const run = new ScenarioRun<T, R>(scenario, output);
  let thrown: { error: unknown } | undefined;
  let stepPending = false;
  let nextStep = 0;
  const scheduleNextStep = (): void => {
    const index = nextStep++;
    const step = scenario.steps[index];
    if (step === undefined) return;
    stepPending = true;
    promises.schedule(Promise.resolve(), `step ${index}: ${step.kind} at ${step.at}`).then(() => {
      stepPending = false;
      try {
        run.perform(step);
        scheduleNextStep();
      } catch (error) {
        thrown ??= { error };
      }
    });
  };
  const markQuietWhenIdle = (): void => {
    if (promises.count() === (stepPending ? 1 : 0)) run.markQuiet();
  };
  let settledAfterSteps = 0;
  const runScheduledWork = async (): Promise<void> => {
    while (thrown === undefined && promises.count() > 0) {
      // Past the last step, `scheduleNextStep` has run one index beyond the steps.
      if (nextStep > scenario.steps.length && ++settledAfterSteps > settleBudget) return;
      await promises.waitOne();
      await flushMicrotasks();
      run.runDueTimers();
      markQuietWhenIdle();
    }
  };
  try {
    run.start(build, run.contextWith({ promises }));
    await flushMicrotasks();
    markQuietWhenIdle();
    // A pending step is always a scheduled task, so once nothing is scheduled every step has run.
    scheduleNextStep();
    await runScheduledWork();
    // Then time runs on, timer by timer, each one's promise work settled before the next.
    while (thrown === undefined && run.runNextTimer()) {
      await flushMicrotasks();
      markQuietWhenIdle();
      await runScheduledWork();
    }
  } catch (error) {
    thrown ??= { error };
  }
  return run.finish(thrown);
}
