import { interval } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isBackpressureError } from '../../src/index.js';
import {
  checkFlowControl,
  FlowControlViolationError,
  type Invariant,
  type InvariantName,
  invariants,
  type PipelineBuilder,
} from '../../src/testing/index.js';
import { type Bug, bufferWithCredits } from './fixtures/bufferWithCredits.js';

const reference: PipelineBuilder<number, number> = (source, credits, context) =>
  source.pipe(bufferWithCredits(credits, context));
const broken =
  (bug: Bug): PipelineBuilder<number, number> =>
  (source, credits, context) =>
    source.pipe(bufferWithCredits(credits, { ...context, bug }));

function failureOf(run: () => void): FlowControlViolationError {
  try {
    run();
  } catch (error) {
    if (error instanceof FlowControlViolationError) return error;
    throw error;
  }
  throw new Error('expected the check to fail, and it passed');
}

describe('checkFlowControl', () => {
  it('passes a correct credit operator on every invariant', () => {
    expect(() => checkFlowControl(reference, { numRuns: 300 })).not.toThrow();
  });

  // Issue 8, requirement 2: each deliberate bug is caught, shrunk to a few events.
  describe.each<[Bug, InvariantName, number]>([
    ['overDeliversOnReentrantGrant', 'neverExceedsCredit', 5],
    ['losesLastItemOnComplete', 'drainsBeforeComplete', 3],
    ['keepsSourceAfterUnsubscribe', 'releasesOnUnsubscribe', 1],
    ['stallsOnSameTickGrant', 'noStallWithCredit', 2],
  ])('with the bug %s', (bug, invariant, maxSteps) => {
    const failure = failureOf(() => checkFlowControl(broken(bug), { numRuns: 1000 }));

    it(`is caught by ${invariant}, with a counterexample of at most ${maxSteps} steps`, () => {
      expect(failure.violations.map((violation) => violation.invariant)).toContain(invariant);
      expect(failure.scenario.steps.length).toBeLessThanOrEqual(maxSteps);
      expect(failure.trace.events.length).toBeLessThanOrEqual(16);
    });

    it('reports the invariant, its definition, the scenario, the marked timeline and how to replay it', () => {
      const lines = failure.message.split('\n');
      expect(lines.length).toBeLessThanOrEqual(40);
      expect(lines[0]).toMatch(new RegExp(`^checkFlowControl: .*${invariant} broke: `));
      expect(failure.message).toContain(`  ${invariant}: ${invariants[invariant].description}`);
      expect(failure.message).toContain(`Counterexample (${failure.scenario.steps.length} step`);
      expect(failure.message).toMatch(new RegExp(`← .*${invariant}`));
      expect(failure.message).toContain(
        `Replay: checkFlowControl(build, { ...options, seed: ${failure.seed}, path: "${failure.path}" })`,
      );
      expect(failure.code).toBe('ERR_FLOW_CONTROL_VIOLATION');
      expect(isBackpressureError(failure)).toBe(true);
    });

    it('replays the same counterexample from the seed and path of the report', () => {
      const replayed = failureOf(() =>
        checkFlowControl(broken(bug), { numRuns: 1000, seed: failure.seed, path: failure.path }),
      );
      expect(replayed.scenario).toEqual(failure.scenario);
      expect(replayed.violations).toEqual(failure.violations);
    });

    it('replays with the very same report, down to how many times it was shrunk', () => {
      const replayed = failureOf(() =>
        checkFlowControl(broken(bug), { numRuns: 1000, seed: failure.seed, path: failure.path }),
      );
      expect(replayed.message).toBe(failure.message);
      expect(replayed.numShrinks).toBe(failure.numShrinks);
    });
  });

  it('catches a pipeline with no flow control at all', () => {
    const failure = failureOf(() => checkFlowControl((source) => source));
    expect(failure.violations[0]?.invariant).toBe('neverExceedsCredit');
    expect(failure.scenario).toEqual({ initialCredit: 0, steps: [{ at: 0, kind: 'emit', item: 0 }] });
  });

  it('checks only the invariants it is given, by name or as objects', () => {
    const allButStall: (InvariantName | Invariant)[] = [
      'neverExceedsCredit',
      'conservesItems',
      'preservesOrder',
      'drainsBeforeComplete',
      'nothingAfterTerminal',
      'releasesOnUnsubscribe',
    ];
    expect(() =>
      checkFlowControl(broken('stallsOnSameTickGrant'), { invariants: allButStall, numRuns: 300 }),
    ).not.toThrow();
  });

  it('reports a custom invariant by its name and definition', () => {
    const neverDelivers: Invariant = {
      name: 'neverDelivers',
      description: 'Nothing is ever delivered.',
      check: (trace) => {
        const index = trace.events.findIndex((event) => event.kind === 'delivered');
        return index === -1
          ? undefined
          : { invariant: 'neverDelivers', message: 'something was delivered.', eventIndex: index };
      },
    };
    const failure = failureOf(() => checkFlowControl(reference, { invariants: [neverDelivers] }));
    expect(failure.message).toContain('checkFlowControl: neverDelivers broke: something was delivered.');
    expect(failure.message).toContain('  neverDelivers: Nothing is ever delivered.');
    expect(failure.scenario.steps.length).toBeLessThanOrEqual(2);
    expect(failure.trace.delivered).toEqual([0]);
  });

  it('lets an error thrown by an invariant itself through, as it is', () => {
    const broken: Invariant = {
      name: 'broken',
      description: 'Throws.',
      check: () => {
        throw new Error('a bug in the invariant');
      },
    };
    expect(() => checkFlowControl(reference, { invariants: [broken] })).toThrow('a bug in the invariant');
  });

  it('reports a run that throws, with what it threw as the cause', () => {
    const boom = new Error('boom');
    const failure = failureOf(() =>
      checkFlowControl((source) => {
        throw boom;
        // biome-ignore lint/correctness/noUnreachable: the builder has to look like one to the type checker
        return source;
      }),
    );
    expect(failure.message).toContain('checkFlowControl: the run threw Error: boom');
    expect(failure.cause).toBe(boom);
    expect(failure.violations).toEqual([]);
  });

  it('reports a pipeline whose timer of no delay never lets time move on as a runaway run', () => {
    const failure = failureOf(() =>
      checkFlowControl((_source, _credits, { scheduler }) => interval(0, scheduler), { numRuns: 5 }),
    );
    expect(failure.message).toContain(
      'checkFlowControl: the run threw BackpressureError: The run never settles: 100000 timer actions ran at virtual time 0 and time never moved on',
    );
    // The flood of deliveries the run recorded is cut down to a readable timeline.
    expect(failure.message).toMatch(/\n {4}… \d{5} more events\n/);
    expect(failure.message.split('\n').length).toBeLessThan(100);
    expect(failure.cause).toMatchObject({ code: 'ERR_SCENARIO_RUNAWAY' });
    expect(failure.violations).toEqual([]);
  });

  it('uses the given items arbitrary and scenario options', async () => {
    const { constantFrom } = await import('fast-check');
    const failure = failureOf(() =>
      checkFlowControl((source) => source, { items: constantFrom('x'), scenario: { initialCredit: false } }),
    );
    expect(failure.scenario.steps).toEqual([{ at: 0, kind: 'emit', item: 'x' }]);
  });

  it.each([
    [
      undefined,
      {},
      TypeError,
      'checkFlowControl(build, options): build must be a function returning an Observable, got undefined.',
    ],
    [
      reference,
      { numRuns: 0 },
      RangeError,
      'checkFlowControl(build, options): options.numRuns must be a positive integer, got 0.',
    ],
    [reference, { numRuns: 2.5 }, RangeError, 'options.numRuns must be a positive integer, got 2.5.'],
    [
      reference,
      { numRuns: '10' },
      TypeError,
      "options.numRuns must be a positive integer, got '10' (string).",
    ],
    [
      reference,
      { invariants: ['neverStalls'] },
      RangeError,
      "options.invariants[0] must name one of neverExceedsCredit, conservesItems, preservesOrder, drainsBeforeComplete, nothingAfterTerminal, releasesOnUnsubscribe, noStallWithCredit; got 'neverStalls' (string).",
    ],
    [
      reference,
      { invariants: [42] },
      TypeError,
      'options.invariants[0] must be an invariant name or an Invariant ({ name, description, rule, check }), got 42.',
    ],
    [
      reference,
      { invariants: [] },
      RangeError,
      'options.invariants must hold at least one invariant, got an empty array.',
    ],
    [reference, { seed: 0.5 }, RangeError, 'options.seed must be an integer, got 0.5.'],
    [
      reference,
      { path: 'here' },
      RangeError,
      "options.path must be a path printed by a failed check, like '3:0:1', got 'here' (string).",
    ],
    [reference, { items: [1] }, TypeError, 'options.items must be a fast-check Arbitrary, got an array.'],
    [
      reference,
      { scenario: { maxSteps: -1 } },
      RangeError,
      'options.maxSteps must be a non-negative integer, got -1.',
    ],
  ])(
    'refuses bad arguments at once, with a typed error naming the value (%#)',
    (build, options, type, message) => {
      const check = (): void => checkFlowControl(build as never, options as never);
      expect(check).toThrow(type);
      expect(check).toThrow(message);
    },
  );
});
