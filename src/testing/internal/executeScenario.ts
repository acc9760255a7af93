import type { FlowScenario } from '../flowScenario.js';
import type { PipelineBuilder } from '../PipelineBuilder.js';
import type { ResolvedOutputRule } from './resolveOutputRule.js';
import { type ScenarioOutcome, ScenarioRun } from './ScenarioRun.js';

/** Runs a (valid) scenario synchronously in virtual time, quiet after the subscription and each step. */
export function executeScenario<T, R>(
  scenario: FlowScenario<T>,
  build: PipelineBuilder<T, R>,
  output?: ResolvedOutputRule<T, R>,
): ScenarioOutcome<T, R> {
  const run = new ScenarioRun<T, R>(scenario, output);
  let thrown: { error: unknown } | undefined;
  try {
    run.start(build, run.context);
    run.markQuiet();
    for (const step of scenario.steps) {
      run.perform(step);
      run.markQuiet();
    }
    run.runRemainingTimers();
    run.markQuiet();
  } catch (error) {
    thrown = { error };
  }
  return run.finish(thrown);
}
