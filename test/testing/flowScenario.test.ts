import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FlowScenario, type FlowStep, flowScenario } from '../../src/testing/index.js';
import { validateScenario } from '../../src/testing/internal/validateScenario.js';

const kinds = (scenarios: FlowScenario<number>[]): Set<FlowStep<number>['kind']> =>
  new Set(scenarios.flatMap((scenario) => scenario.steps.map((step) => step.kind)));

describe('flowScenario', () => {
  it('draws only well-formed timelines: in time order, no emit after the source ended, unsubscribe last', () => {
    fc.assert(
      fc.property(flowScenario(fc.nat()), (scenario) => {
        validateScenario(scenario, 'scenario');
        const unsubscribe = scenario.steps.findIndex((step) => step.kind === 'unsubscribe');
        expect(unsubscribe === -1 || unsubscribe === scenario.steps.length - 1).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('draws every kind of step, several steps in one tick, and steps in later ticks', () => {
    const scenarios = fc.sample(flowScenario(fc.nat()), { numRuns: 300, seed: 11 });
    expect([...kinds(scenarios)].sort()).toEqual([
      'complete',
      'emit',
      'error',
      'grant',
      'grantInNext',
      'unsubscribe',
    ]);
    const sameTick = scenarios.some((s) =>
      s.steps.some((step, i) => i > 0 && s.steps[i - 1]?.at === step.at),
    );
    expect(sameTick).toBe(true);
    expect(scenarios.some((s) => s.steps.some((step) => step.at > 0))).toBe(true);
    expect(scenarios.some((s) => s.initialCredit > 0)).toBe(true);
  });

  it('leaves out the kinds of step its options turn off, and keeps every step in one tick with maxGap 0', () => {
    const scenarios = fc.sample(
      flowScenario(fc.nat(), {
        maxSteps: 5,
        maxGap: 0,
        reentrantGrants: false,
        initialCredit: false,
        complete: false,
        error: false,
        unsubscribe: false,
      }),
      { numRuns: 200, seed: 5 },
    );
    expect([...kinds(scenarios)].sort()).toEqual(['emit', 'grant']);
    expect(scenarios.every((s) => s.initialCredit === 0 && s.steps.length <= 5)).toBe(true);
    expect(scenarios.every((s) => s.steps.every((step) => step.at === 0))).toBe(true);
  });

  it('takes its items from the given arbitrary', () => {
    const scenarios = fc.sample(flowScenario(fc.constantFrom('a', 'b')), { numRuns: 100, seed: 2 });
    const items = scenarios.flatMap((s) =>
      s.steps.flatMap((step) => (step.kind === 'emit' ? [step.item] : [])),
    );
    expect(items.length).toBeGreaterThan(0);
    expect(new Set(items)).toEqual(new Set(['a', 'b']));
  });

  it('shrinks a failing timeline to the few steps that matter', () => {
    // Fails as soon as two items wait with no credit for them.
    const waiting = (scenario: FlowScenario<number>): boolean => {
      let balance = scenario.initialCredit;
      for (const step of scenario.steps) {
        if (step.kind === 'grant') balance += step.credits;
        if (step.kind === 'emit') balance -= 1;
        if (balance <= -2) return true;
      }
      return false;
    };
    const details = fc.check(
      fc.property(flowScenario(fc.nat()), (scenario) => !waiting(scenario)),
      { seed: 9 },
    );
    expect(details.counterexample?.[0]).toEqual({
      initialCredit: 0,
      steps: [
        { at: 0, kind: 'emit', item: 0 },
        { at: 0, kind: 'emit', item: 0 },
      ],
    });
  });

  it.each([
    [
      fc.nat(),
      { maxSteps: -1 },
      RangeError,
      'flowScenario(items, options): options.maxSteps must be a non-negative integer, got -1.',
    ],
    [fc.nat(), { maxGap: 1.5 }, RangeError, 'options.maxGap must be a non-negative integer, got 1.5.'],
    [
      fc.nat(),
      { reentrantGrants: 'yes' },
      TypeError,
      "options.reentrantGrants must be a boolean, got 'yes' (string).",
    ],
    [
      fc.nat(),
      { grants: { max: 0 } },
      RangeError,
      'options.grants.max must be a positive safe integer, got 0.',
    ],
    [[1, 2], {}, TypeError, 'flowScenario(items): items must be a fast-check Arbitrary, got an array.'],
  ])('refuses bad arguments with a typed error naming them (%#)', (items, options, type, message) => {
    expect(() => flowScenario(items as never, options as never)).toThrow(type);
    expect(() => flowScenario(items as never, options as never)).toThrow(message);
  });
});
