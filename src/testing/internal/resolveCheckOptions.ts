import * as fc from 'fast-check';
import {
  describeValue,
  isPositiveCount,
  numberOption,
  objectWithMembers,
  optionsObject,
} from '../../core/validation.js';
import type { CheckFlowControlOptions } from '../CheckFlowControlOptions.js';
import { type FlowScenario, flowScenario } from '../flowScenario.js';
import type { Invariant } from '../Invariant.js';
import { invariants as allInvariants } from '../invariants.js';
import { assertArbitrary } from './assertArbitrary.js';
import { type ResolvedOutputRule, resolveOutputRule } from './resolveOutputRule.js';

/** The options of a check, validated, with every default filled in. */
export interface ResolvedCheck<T, R> {
  readonly invariants: readonly Invariant[];
  readonly output: ResolvedOutputRule<T, R>;
  readonly scenarios: fc.Arbitrary<FlowScenario<T>>;
  readonly parameters: { numRuns: number; seed?: number; path?: string; endOnFailure?: boolean };
}

const defaultNumRuns = 100;
const invariantNames = Object.keys(allInvariants);

function isInvariantName(name: string): name is keyof typeof allInvariants {
  return Object.hasOwn(allInvariants, name);
}

function resolveInvariant(value: unknown, argument: string): Invariant {
  if (typeof value === 'string') {
    if (isInvariantName(value)) return allInvariants[value];
    throw new RangeError(
      `${argument} must name one of ${invariantNames.join(', ')}; got ${describeValue(value)}.`,
    );
  }
  return objectWithMembers<Invariant>(
    value,
    { name: 'string', description: 'string', check: 'function' },
    argument,
    'an invariant name or an Invariant ({ name, description, rule, check })',
  );
}

/**
 * Validates `build` and the options of `checkFlowControl` / `checkFlowControlAsync` when they are
 * called, with errors that name the argument and the value.
 */
export function resolveCheckOptions<T, R>(
  build: unknown,
  given: CheckFlowControlOptions<T, R> | undefined,
  check: string,
): ResolvedCheck<T, R> {
  if (typeof build !== 'function') {
    throw new TypeError(
      `${check}(build, options): build must be a function returning an Observable, got ${describeValue(build)}.`,
    );
  }
  const argument = `${check}(build, options): options`;
  const options = optionsObject(given, argument);
  const numRuns = numberOption(
    options.numRuns ?? defaultNumRuns,
    `${argument}.numRuns`,
    'a positive integer',
    isPositiveCount,
  );
  const parameters: ResolvedCheck<T, R>['parameters'] = { numRuns };
  if (options.seed !== undefined) {
    parameters.seed = numberOption(options.seed, `${argument}.seed`, 'an integer', Number.isSafeInteger);
  }
  if (options.path !== undefined) {
    if (typeof options.path !== 'string') {
      throw new TypeError(`${argument}.path must be a string, got ${describeValue(options.path)}.`);
    }
    if (!/^\d+(:\d+)*$/.test(options.path)) {
      throw new RangeError(
        `${argument}.path must be a path printed by a failed check, like '3:0:1', got ${describeValue(options.path)}.`,
      );
    }
    parameters.path = options.path;
    // The path leads to the counterexample already shrunk: stop there, so the report is the same one.
    parameters.endOnFailure = true;
  }
  const chosen = options.invariants ?? invariantNames;
  if (!Array.isArray(chosen)) {
    throw new TypeError(
      `${argument}.invariants must be an array of invariants, got ${describeValue(chosen)}.`,
    );
  }
  if (chosen.length === 0) {
    throw new RangeError(`${argument}.invariants must hold at least one invariant, got an empty array.`);
  }
  const invariants = chosen.map((value: unknown, index) =>
    resolveInvariant(value, `${argument}.invariants[${index}]`),
  );
  if (options.items !== undefined) assertArbitrary(options.items, `${argument}.items`);
  // Without `items`, T defaults to number (see the checks' signatures), so small naturals fit.
  const items = options.items ?? (fc.nat({ max: 999 }) as unknown as fc.Arbitrary<T>);
  return {
    invariants,
    output: resolveOutputRule(options.output, `${argument}.output`),
    scenarios: flowScenario(items, options.scenario),
    parameters,
  };
}
