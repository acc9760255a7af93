import { BackpressureError } from 'rxjs-backpressure';
import type { FlowTrace } from './FlowTrace.js';
import type { FlowScenario } from './flowScenario.js';
import type { Invariant, InvariantViolation } from './Invariant.js';
import { renderScenario } from './internal/renderScenario.js';
import { renderTimeline } from './internal/renderTimeline.js';
import { renderValue } from './internal/renderValue.js';

/**
 * Everything {@link FlowControlViolationError} reports about a failed check (the checks build it; it
 * is exported for those who wrap them).
 *
 * @example
 * ```ts
 * import type { FlowControlFailure } from 'rxjs-backpressure/testing';
 *
 * const seedAndPath = (failure: FlowControlFailure) => ({ seed: failure.seed, path: failure.path });
 * ```
 */
export interface FlowControlFailure {
  /** The check that failed, for the replay line: `'checkFlowControl'` or `'checkFlowControlAsync'`. */
  readonly check: string;
  /** The invariants that broke on the shrunk counterexample (empty when the run threw). */
  readonly violations: readonly InvariantViolation[];
  /** The invariants that were checked, for their definitions. */
  readonly invariants: readonly Invariant[];
  /** What the run threw, if it did. */
  readonly thrown: { readonly error: unknown } | undefined;
  /** The shrunk counterexample. */
  readonly scenario: FlowScenario<unknown>;
  /** Its trace (up to the throw, if the run threw). */
  readonly trace: FlowTrace<unknown, unknown>;
  readonly seed: number;
  readonly path: string;
  readonly numShrinks: number;
  /** For `checkFlowControlAsync`: the order in which fast-check settled the scheduled promises. */
  readonly schedule?: string | undefined;
}

/** How many events of the counterexample's timeline a report shows at most (its marked ones aside). */
const reportedEvents = 60;

function headline(failure: FlowControlFailure): string {
  if (failure.thrown !== undefined) return `the run threw ${renderValue(failure.thrown.error, 200)}`;
  return failure.violations
    .map((violation) => `${violation.invariant} broke: ${violation.message}`)
    .join('\n  and ');
}

function report(failure: FlowControlFailure): string {
  const marks = new Map<number, string>();
  for (const violation of failure.violations) {
    if (violation.eventIndex === undefined) continue;
    const previous = marks.get(violation.eventIndex);
    marks.set(
      violation.eventIndex,
      previous === undefined ? violation.invariant : `${previous}, ${violation.invariant}`,
    );
  }
  const definitions = failure.violations.flatMap((violation) => {
    const invariant = failure.invariants.find((candidate) => candidate.name === violation.invariant);
    if (invariant === undefined) return [];
    const rule = invariant.rule === undefined ? '' : ` (Reactive Streams ${invariant.rule})`;
    return [`  ${invariant.name}: ${invariant.description}${rule}`];
  });
  const steps = failure.scenario.steps.length;
  return [
    `${failure.check}: ${headline(failure)}`,
    ...definitions,
    '',
    `Counterexample (${steps} step${steps === 1 ? '' : 's'}, shrunk ${failure.numShrinks} times):`,
    ...renderScenario(failure.scenario).map((line) => `  ${line}`),
    '',
    'Timeline:',
    ...renderTimeline(failure.trace, marks, reportedEvents)
      .split('\n')
      .map((line) => `  ${line}`),
    '',
    `Replay: ${failure.check}(build, { ...options, seed: ${failure.seed}, path: ${JSON.stringify(failure.path)} })`,
    ...(failure.schedule === undefined ? [] : ['', 'Promise schedule (fast-check):', failure.schedule]),
  ].join('\n');
}

/**
 * Thrown by `checkFlowControl` and `checkFlowControlAsync` when a pipeline breaks an invariant (or
 * throws). Its message is the readable report: which invariant broke and how, its definition, the
 * shrunk scenario, its timeline with the breaking event marked, and the seed and path that replay it.
 * Its fields carry the same, for assertions. A {@link BackpressureError} of code
 * `'ERR_FLOW_CONTROL_VIOLATION'`; `cause` is what the run threw, if it did.
 *
 * @example
 * ```ts
 * import { map } from 'rxjs';
 * import { checkFlowControl, FlowControlViolationError } from 'rxjs-backpressure/testing';
 *
 * try {
 *   checkFlowControl((source) => source.pipe(map((n) => n))); // ignores credits entirely
 * } catch (error) {
 *   if (error instanceof FlowControlViolationError) {
 *     console.log(error.violations[0]?.invariant); // 'neverExceedsCredit'
 *     console.log(error.seed, error.path); // replay with checkFlowControl(build, { ...options, seed, path })
 *   }
 * }
 * ```
 */
export class FlowControlViolationError extends BackpressureError {
  /** The invariants that broke on the shrunk counterexample (empty when the run threw). */
  readonly violations: readonly InvariantViolation[];
  /** The shrunk counterexample. */
  readonly scenario: FlowScenario<unknown>;
  /** Its trace. */
  readonly trace: FlowTrace<unknown, unknown>;
  /** The seed of the failing check. */
  readonly seed: number;
  /** The path to the shrunk counterexample; pass `seed` and `path` back to replay it. */
  readonly path: string;
  /** How many times the counterexample was shrunk. */
  readonly numShrinks: number;

  constructor(failure: FlowControlFailure) {
    super(
      'ERR_FLOW_CONTROL_VIOLATION',
      report(failure),
      failure.thrown === undefined ? undefined : { cause: failure.thrown.error },
    );
    this.violations = failure.violations;
    this.scenario = failure.scenario;
    this.trace = failure.trace;
    this.seed = failure.seed;
    this.path = failure.path;
    this.numShrinks = failure.numShrinks;
  }
}
