import type { FlowScenario, FlowStep } from '../flowScenario.js';

// Lowering a grant by one only helps for small grants; fast-check already shrinks the large ones.
const largestLowered = 1000;

function withoutSteps<T>(scenario: FlowScenario<T>, ...indices: number[]): FlowScenario<T> {
  return { ...scenario, steps: scenario.steps.filter((_, index) => !indices.includes(index)) };
}

function lowered<T>(scenario: FlowScenario<T>, index: number): FlowScenario<T> | undefined {
  if (index === -1) {
    const credit = scenario.initialCredit;
    return credit > 1 && credit <= largestLowered ? { ...scenario, initialCredit: credit - 1 } : undefined;
  }
  const step = scenario.steps[index];
  if (step === undefined || (step.kind !== 'grant' && step.kind !== 'grantInNext')) return undefined;
  if (step.credits <= 1 || step.credits > largestLowered) return undefined;
  const steps: FlowStep<T>[] = [...scenario.steps];
  steps[index] = { ...step, credits: step.credits - 1 };
  return { ...scenario, steps };
}

/** Smaller variants of `scenario`, simplest first: fewer steps, then smaller grants. */
function* candidates<T>(scenario: FlowScenario<T>): Generator<FlowScenario<T>> {
  const count = scenario.steps.length;
  for (let index = 0; index < count; index++) yield withoutSteps(scenario, index);
  for (let first = 0; first < count; first++) {
    for (let second = first + 1; second < count; second++) yield withoutSteps(scenario, first, second);
  }
  // Removing an item and lowering a grant together escapes what one-at-a-time shrinking cannot:
  // "n + 1 items against a grant of n".
  for (let grant = -1; grant < count; grant++) {
    const smaller = lowered(scenario, grant);
    if (smaller === undefined) continue;
    for (let index = 0; index < count; index++) {
      if (index !== grant) yield withoutSteps(smaller, index);
    }
    yield smaller;
  }
}

/** Where {@link minimizeScenario} ended: the smallest failing scenario, its failure, and the shrinks made. */
export interface Minimized<T, F> {
  readonly scenario: FlowScenario<T>;
  readonly failure: F;
  readonly shrinks: number;
}

/**
 * Goes on shrinking a counterexample that fast-check has shrunk, with moves its shrinker does not
 * make (two changes at once), keeping each smaller scenario that still fails. A generator, so that
 * sync and promise checks share it: it yields each candidate and is sent back the candidate's failure
 * (`undefined` when it passed). Deterministic, so replaying fast-check's counterexample (seed and
 * path) ends in the same scenario. `budget` caps the candidates it tries.
 */
export function* minimizeScenario<T, F>(
  scenario: FlowScenario<T>,
  failure: F,
  budget = 2000,
): Generator<FlowScenario<T>, Minimized<T, F>, F | undefined> {
  let current: Minimized<T, F> = { scenario, failure, shrinks: 0 };
  let runs = 0;
  let shrunk = true;
  while (shrunk && runs < budget) {
    shrunk = false;
    for (const candidate of candidates(current.scenario)) {
      if (++runs > budget) break;
      const candidateFailure = yield candidate;
      if (candidateFailure !== undefined) {
        current = { scenario: candidate, failure: candidateFailure, shrinks: current.shrinks + 1 };
        shrunk = true;
        break;
      }
    }
  }
  return current;
}
