import { describeValue } from '../../core/validation.js';
import { grantError } from '../../internal/assertGrant.js';
import type { FlowScenario, FlowStep } from '../flowScenario.js';

const stepKinds: readonly FlowStep<unknown>['kind'][] = [
  'emit',
  'grant',
  'grantInNext',
  'complete',
  'error',
  'unsubscribe',
];

/**
 * Checks a scenario written by hand as thoroughly as the arbitrary builds them: a valid initial credit,
 * steps in time order, valid grants, nothing emitted after the source ended, nothing after
 * `'unsubscribe'`. Throws a `TypeError` (shape) or `RangeError` (number) naming the step.
 */
export function validateScenario(
  scenario: unknown,
  argument: string,
): asserts scenario is FlowScenario<unknown> {
  const candidate = scenario as Partial<FlowScenario<unknown>> | null;
  if (typeof candidate !== 'object' || candidate === null || !Array.isArray(candidate.steps)) {
    throw new TypeError(
      `${argument} must be a FlowScenario ({ initialCredit, steps }), got ${describeValue(scenario)}.`,
    );
  }
  if (candidate.initialCredit !== 0) {
    const invalid = grantError(candidate.initialCredit, `${argument}.initialCredit`);
    if (invalid !== undefined) throw invalid;
  }
  let previousAt = 0;
  let sourceEnd: string | undefined;
  let unsubscribedAt: string | undefined;
  // `entries()` visits the holes of a sparse array, which `forEach` would skip and the run would trip on.
  for (const [index, step] of (candidate.steps as unknown[]).entries()) {
    const name = `${argument}.steps[${index}]`;
    const { at, kind } = (typeof step === 'object' && step !== null ? step : {}) as Partial<
      FlowStep<unknown>
    >;
    if (typeof kind !== 'string' || !stepKinds.includes(kind)) {
      const problem =
        typeof step === 'object' && step !== null ? `kind ${describeValue(kind)}` : describeValue(step);
      throw new TypeError(
        `${name} must be a step with a kind among ${stepKinds.join(', ')}; got ${problem}.`,
      );
    }
    if (typeof at !== 'number' || !Number.isFinite(at) || at < previousAt) {
      throw new RangeError(
        `${name}.at must be a finite time at least ${previousAt} (steps are in time order), got ${describeValue(at)}.`,
      );
    }
    previousAt = at;
    if (unsubscribedAt !== undefined)
      throw new TypeError(`${name} comes after the unsubscribe at ${unsubscribedAt}.`);
    if (kind === 'grant' || kind === 'grantInNext') {
      const invalid = grantError((step as { credits?: unknown }).credits, `${name}.credits`);
      if (invalid !== undefined) throw invalid;
    }
    if (kind === 'emit' || kind === 'complete' || kind === 'error') {
      if (sourceEnd !== undefined)
        throw new TypeError(`${name} (${kind}) comes after the source ended at ${sourceEnd}.`);
      if (kind !== 'emit') sourceEnd = `steps[${index}]`;
    }
    if (kind === 'unsubscribe') unsubscribedAt = `steps[${index}]`;
  }
}
