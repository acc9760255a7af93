import type * as fc from 'fast-check';
import type { FlowScenarioOptions } from './FlowScenarioOptions.js';
import type { Invariant } from './Invariant.js';
import type { InvariantName } from './invariants.js';
import type { OutputRule } from './OutputRule.js';

/**
 * Options of {@link checkFlowControl} and {@link checkFlowControlAsync}.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import type { CheckFlowControlOptions } from 'rxjs-backpressure/testing';
 *
 * const options: CheckFlowControlOptions<string> = {
 *   numRuns: 500,
 *   items: fc.string({ maxLength: 3 }),
 *   invariants: ['neverExceedsCredit', 'conservesItems'],
 *   scenario: { maxSteps: 12, error: false },
 * };
 * ```
 */
export interface CheckFlowControlOptions<T, R = T> {
  /**
   * The invariants to check, by name or as {@link Invariant} objects (yours too). Default: all seven
   * of {@link invariants}. Leave out those that do not apply (`preservesOrder` with `priority`).
   */
  readonly invariants?: readonly (InvariantName | Invariant)[] | undefined;
  /** How many scenarios to run, a positive integer. Default 100. */
  readonly numRuns?: number | undefined;
  /** The seed of a failed check, to replay it. */
  readonly seed?: number | undefined;
  /** The path of a failed check (with its `seed`), to replay its shrunk counterexample at once. */
  readonly path?: string | undefined;
  /** The source items. Default: naturals below 1000. */
  readonly items?: fc.Arbitrary<T> | undefined;
  /** How the scenarios are drawn (see {@link flowScenario}). */
  readonly scenario?: FlowScenarioOptions | undefined;
  /** How to count an output that is not the input item for item: batches, one-to-many (see {@link OutputRule}). */
  readonly output?: OutputRule<T, R> | undefined;
}
