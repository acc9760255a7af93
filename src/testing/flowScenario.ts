import * as fc from 'fast-check';
import { booleanOption, isNonNegativeCount, numberOption, optionsObject } from '../core/validation.js';
import type { FlowScenarioOptions } from './FlowScenarioOptions.js';
import { assertArbitrary } from './internal/assertArbitrary.js';
import { creditGrant } from './internal/creditGrant.js';
import { validateCreditGrantOptions } from './internal/validateCreditGrantOptions.js';

/**
 * One step of a {@link FlowScenario}, at virtual time `at` (milliseconds of the scenario's virtual clock):
 *
 * - `'emit'`: the source emits `item`;
 * - `'grant'`: the consumer grants `credits`, from outside any callback;
 * - `'grantInNext'`: the consumer will grant `credits` synchronously from inside the `next` of a later
 *   delivery (re-entrant, Reactive Streams §3.3); armed grants are made one per delivery, in order;
 * - `'complete'` / `'error'`: the source completes, or errors;
 * - `'unsubscribe'`: the consumer unsubscribes the output (always the last step).
 *
 * @example
 * ```ts
 * import type { FlowStep } from 'rxjs-backpressure/testing';
 *
 * const step: FlowStep<number> = { at: 3, kind: 'grantInNext', credits: 2 };
 * ```
 */
export type FlowStep<T> =
  | { readonly at: number; readonly kind: 'emit'; readonly item: T }
  | { readonly at: number; readonly kind: 'grant'; readonly credits: number }
  | { readonly at: number; readonly kind: 'grantInNext'; readonly credits: number }
  | { readonly at: number; readonly kind: 'complete' }
  | { readonly at: number; readonly kind: 'error' }
  | { readonly at: number; readonly kind: 'unsubscribe' };

/**
 * A timeline in virtual time: what the source and the consumer do around one subscription of a
 * pipeline. Steps are in time order; several steps at the same `at` happen in the same tick. Nothing
 * is emitted after the source completes or errors, and nothing follows `'unsubscribe'`.
 *
 * @example
 * ```ts
 * import type { FlowScenario } from 'rxjs-backpressure/testing';
 *
 * const scenario: FlowScenario<string> = {
 *   initialCredit: 1,
 *   steps: [
 *     { at: 0, kind: 'emit', item: 'a' },
 *     { at: 0, kind: 'emit', item: 'b' }, // same tick
 *     { at: 5, kind: 'grantInNext', credits: 1 }, // made inside the next delivery's next
 *     { at: 5, kind: 'grant', credits: 1 },
 *     { at: 6, kind: 'complete' },
 *   ],
 * };
 * ```
 */
export interface FlowScenario<T> {
  /** Credit granted before the pipeline is subscribed (`0` for none). */
  readonly initialCredit: number;
  /** What happens, in order. */
  readonly steps: readonly FlowStep<T>[];
}

type Action<T> =
  | { readonly kind: 'emit'; readonly item: T }
  | { readonly kind: 'grant' | 'grantInNext'; readonly credits: number }
  | { readonly kind: 'complete' | 'error' | 'unsubscribe' };

interface RawScenario<T> {
  readonly initialCredit: number;
  readonly steps: readonly (readonly [number, Action<T>])[];
}

// Endings are drawn as steps like any other, so removing a step while shrinking never moves them;
// what a real timeline cannot hold (an emit after the source ended, anything after an unsubscribe)
// is skipped here, and the shrinker soon removes those draws.
function assemble<T>(raw: RawScenario<T>): FlowScenario<T> {
  const steps: FlowStep<T>[] = [];
  let at = 0;
  let sourceEnded = false;
  for (const [gap, action] of raw.steps) {
    const ends = action.kind === 'complete' || action.kind === 'error';
    if (sourceEnded && (ends || action.kind === 'emit')) continue;
    sourceEnded ||= ends;
    at += gap;
    steps.push({ at, ...action });
    if (action.kind === 'unsubscribe') break;
  }
  return { initialCredit: raw.initialCredit, steps };
}

/**
 * A fast-check arbitrary of {@link FlowScenario}s: random timelines in virtual time of source items
 * (drawn from `items`), grants (before subscribing, from outside, and re-entrant from inside `next`),
 * the source completing or erroring, and the consumer unsubscribing. Run one with {@link runScenario};
 * it shrinks towards short timelines in a single tick. Bad options throw at once, naming the option.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { flowScenario } from 'rxjs-backpressure/testing';
 *
 * const [scenario] = fc.sample(flowScenario(fc.integer(), { maxSteps: 8, error: false }), 1);
 * console.log(scenario?.steps); // e.g. [{ at: 0, kind: 'emit', item: 3 }, { at: 2, kind: 'grant', credits: 1 }]
 * ```
 */
export function flowScenario<T>(
  items: fc.Arbitrary<T>,
  options?: FlowScenarioOptions,
): fc.Arbitrary<FlowScenario<T>> {
  const argument = 'flowScenario(items, options)';
  assertArbitrary(items, 'flowScenario(items): items');
  const given = optionsObject(options, 'flowScenario(items, options): options');
  const maxSteps = numberOption(
    given.maxSteps ?? 24,
    `${argument}: options.maxSteps`,
    'a non-negative integer',
    isNonNegativeCount,
  );
  const maxGap = numberOption(
    given.maxGap ?? 3,
    `${argument}: options.maxGap`,
    'a non-negative integer',
    isNonNegativeCount,
  );
  const grant = creditGrant(validateCreditGrantOptions(given.grants, `${argument}: options.grants`));
  const reentrant = booleanOption(given.reentrantGrants ?? true, `${argument}: options.reentrantGrants`);
  const initialCredit = booleanOption(given.initialCredit ?? true, `${argument}: options.initialCredit`);
  const endings = (['complete', 'error'] as const).filter((kind) =>
    booleanOption(given[kind] ?? true, `${argument}: options.${kind}`),
  );
  const unsubscribe = booleanOption(given.unsubscribe ?? true, `${argument}: options.unsubscribe`);

  // Zero first, so gaps shrink into one tick, where the interesting interleavings are.
  const gap =
    maxGap === 0
      ? fc.constant(0)
      : fc.oneof(
          { withCrossShrink: true },
          { weight: 3, arbitrary: fc.constant(0) },
          { weight: 2, arbitrary: fc.integer({ min: 1, max: maxGap }) },
        );
  const actions: fc.WeightedArbitrary<Action<T>>[] = [
    { weight: 30, arbitrary: items.map((item) => ({ kind: 'emit', item }) as const) },
    { weight: 12, arbitrary: grant.map((credits) => ({ kind: 'grant', credits }) as const) },
  ];
  if (reentrant) {
    actions.push({
      weight: 6,
      arbitrary: grant.map((credits) => ({ kind: 'grantInNext', credits }) as const),
    });
  }
  for (const kind of endings)
    actions.push({ weight: kind === 'complete' ? 2 : 1, arbitrary: fc.constant({ kind }) });
  if (unsubscribe) actions.push({ weight: 1, arbitrary: fc.constant({ kind: 'unsubscribe' } as const) });
  return fc
    .record({
      initialCredit: initialCredit
        ? fc.oneof(
            { withCrossShrink: true },
            { weight: 2, arbitrary: fc.constant(0) },
            { weight: 1, arbitrary: grant },
          )
        : fc.constant(0),
      steps: fc.array(fc.tuple(gap, fc.oneof({ withCrossShrink: true }, ...actions)), {
        maxLength: maxSteps,
        size: 'max',
      }),
    })
    .map(assemble);
}
