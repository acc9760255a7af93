import { FlowControlViolationError } from '../FlowControlViolationError.js';
import type { FlowScenario } from '../flowScenario.js';
import type { Invariant, InvariantViolation } from '../Invariant.js';
import type { ScenarioOutcome } from './ScenarioRun.js';

/** A run that broke an invariant or threw. */
export interface FailedRun<T = unknown> {
  readonly scenario: FlowScenario<T>;
  readonly outcome: ScenarioOutcome<T, unknown>;
  readonly violations: readonly InvariantViolation[];
}

/** The part of fast-check's `RunDetails` a report needs. */
export interface FailedCheckDetails {
  readonly seed: number;
  readonly counterexamplePath: string | null;
  readonly numShrinks: number;
  readonly errorInstance: unknown;
}

/** Checks one outcome against the invariants: the failed run, or `undefined` when it passed. */
export function findFailure<T, R>(
  scenario: FlowScenario<T>,
  outcome: ScenarioOutcome<T, R>,
  invariants: readonly Invariant[],
): FailedRun<T> | undefined {
  // A run that threw has a partial trace: the throw is the failure, not what the invariants make of it.
  const violations =
    outcome.thrown === undefined
      ? invariants.flatMap((invariant) => invariant.check(outcome.trace) ?? [])
      : [];
  if (outcome.thrown === undefined && violations.length === 0) return undefined;
  return { scenario, outcome, violations };
}

/** What {@link reportCheckFailure} needs. */
export interface CheckFailure {
  readonly check: string;
  readonly details: FailedCheckDetails;
  /** The counterexample's failed run; absent when an invariant's own `check` threw. */
  readonly failure: FailedRun | undefined;
  readonly invariants: readonly Invariant[];
  /** Shrinks made after fast-check's (see `minimizeScenario`). */
  readonly extraShrinks?: number | undefined;
  /** fast-check's report of the promise schedule, for `checkFlowControlAsync`. */
  readonly schedule?: string | undefined;
}

/**
 * Turns a failed check into the error to throw: a {@link FlowControlViolationError} for the
 * counterexample, or, when there is none (an invariant's own `check` threw), fast-check's error.
 */
export function reportCheckFailure({
  check,
  details,
  failure,
  invariants,
  extraShrinks,
  schedule,
}: CheckFailure): Error {
  if (failure === undefined) {
    return details.errorInstance instanceof Error
      ? details.errorInstance
      : new Error(`${check}: the property failed: ${String(details.errorInstance)}`);
  }
  // fast-check counts only the shrinks of this check, none when replaying a path; the path itself
  // holds one step per shrink since the failing run, so counting them gives a replay the same report.
  const path = details.counterexamplePath;
  const shrinks = path === null ? details.numShrinks : path.split(':').length - 1;
  return new FlowControlViolationError({
    check,
    violations: failure.violations,
    invariants,
    thrown: failure.outcome.thrown,
    scenario: failure.scenario,
    trace: failure.outcome.trace,
    seed: details.seed,
    path: path ?? '',
    numShrinks: shrinks + (extraShrinks ?? 0),
    schedule,
  });
}
