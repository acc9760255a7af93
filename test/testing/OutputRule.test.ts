import { delay, map, mergeMap, Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { requestCredits } from '../../src/index.js';
import {
  checkFlowControl,
  FlowControlViolationError,
  invariants,
  runScenario,
} from '../../src/testing/index.js';
import { batchOf } from './fixtures/batchOf.js';

/** The failure a check throws, or undefined when it passes. */
function failureOf(check: () => void): FlowControlViolationError | undefined {
  try {
    check();
  } catch (error) {
    if (error instanceof FlowControlViolationError) return error;
    throw error;
  }
  return undefined;
}

describe('the kit in its simplest form', () => {
  it('passes requestCredits built from (source, credits) alone: items released on unsubscribe or error count as released', () => {
    checkFlowControl((source, credits) => source.pipe(requestCredits(credits)), { numRuns: 300 });
  });

  it("says exactly what to do when a pipeline that never read onDrop drops items, and never calls them 'still held'", () => {
    const failure = failureOf(() =>
      checkFlowControl((source, credits) => source.pipe(requestCredits(credits, { strategy: 'drop' })), {
        numRuns: 300,
      }),
    );
    expect(failure).toBeDefined();
    expect(failure?.message).toContain("pass context.onDrop to the operator's onDrop");
    expect(failure?.message).not.toContain('still held');
  });
});

describe('the kit on a batching operator (T → T[])', () => {
  const batches = { items: (batch: readonly number[]) => batch, batchSize: 3 };

  it('passes a correct one: each batch delivers its items, and a partial batch may wait while the source is open', () => {
    checkFlowControl<number, number[]>(
      (source, credits, { onDrop }) => source.pipe(requestCredits(credits, { onDrop }), batchOf(3, onDrop)),
      { numRuns: 300, output: batches },
    );
  });

  it('catches one that loses the last batch on completion', () => {
    const failure = failureOf(() =>
      checkFlowControl<number, number[]>(
        (source, credits, { onDrop }) =>
          source.pipe(requestCredits(credits, { onDrop }), batchOf(3, onDrop, 'losesLastBatch')),
        { numRuns: 300, output: batches },
      ),
    );
    expect(failure?.violations.map((violation) => violation.invariant)).toEqual(
      expect.arrayContaining(['drainsBeforeComplete']),
    );
    expect(failure?.message).toMatch(
      /the output completed while \d+ received items? (was|were) neither delivered/,
    );
  });

  it('without the rule, counts each batch as one item and calls a filling batch a stall', () => {
    const failure = failureOf(() =>
      checkFlowControl<number, number[]>(
        (source, credits, { onDrop }) => source.pipe(requestCredits(credits, { onDrop }), batchOf(3, onDrop)),
        { numRuns: 300 },
      ),
    );
    expect(failure).toBeDefined();
  });

  it('refuses a bad rule, naming it', () => {
    expect(() => checkFlowControl((source) => source, { output: { batchSize: 0 } })).toThrow(
      /options\.output\.batchSize must be a positive safe integer, got 0/,
    );
    expect(() => checkFlowControl((source) => source, { output: { item: () => [] } as never })).toThrow(
      /options\.output\.item is not an option here/,
    );
  });

  it('fails the run, naming the rule, when items returns something other than an array', () => {
    expect(() =>
      runScenario(
        { initialCredit: 1, steps: [{ at: 0, kind: 'emit', item: 7 }] },
        (source, credits) => source.pipe(requestCredits(credits)),
        { output: { items: (value) => value as unknown as number[] } },
      ),
    ).toThrow(
      new TypeError(
        'runScenario(scenario, build, options): options.output.items(value) must return an array, got 7.',
      ),
    );
  });
});

describe('the kit on a one-to-many operator', () => {
  it('passes when the last result of each item delivers it', () => {
    checkFlowControl<number, { item: number; last: boolean }>(
      (source, credits, { onDrop }) =>
        source.pipe(
          requestCredits(credits, { onDrop }),
          mergeMap((item) => [1, 2, 3].map((part) => ({ item, last: part === 3 }))),
        ),
      { numRuns: 300, output: { items: (result) => (result.last ? [result.item] : []) } },
    );
  });
});

describe('the kit and virtual timers', () => {
  it('does not call a pipeline waiting on a pending delay a stall', () => {
    checkFlowControl(
      (source, credits, { onDrop, scheduler }) =>
        source.pipe(requestCredits(credits, { onDrop }), delay(5, scheduler)),
      // Unsubscribing or an error lets go of the items delay holds without reporting them.
      { numRuns: 300, scenario: { unsubscribe: false, error: false } },
    );
  });

  it('reports a timer left pending after the output ended with releasesOnUnsubscribe', () => {
    const trace = runScenario(
      {
        initialCredit: 1,
        steps: [
          { at: 0, kind: 'emit', item: 1 },
          { at: 1, kind: 'complete' },
        ],
      },
      (source, credits, { onDrop, scheduler }) =>
        new Observable<number>((subscriber) => {
          // A heartbeat nobody cancels: it outlives the output.
          scheduler.schedule(function beat() {
            this.schedule(undefined, 400);
          }, 400);
          return source
            .pipe(
              requestCredits(credits, { onDrop }),
              map((n) => n),
            )
            .subscribe(subscriber);
        }),
    );
    expect(trace.finalState.output).toBe('completed');
    expect(trace.timersPending.at(-1)).toBe(1);
    expect(invariants.releasesOnUnsubscribe.check(trace)?.message).toBe(
      'the output ended (completed) but left 1 virtual timer pending.',
    );
  });
});
