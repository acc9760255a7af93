import { concatMap, defer, ignoreElements, merge, mergeMap, type OperatorFunction, repeat } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { requestCredits } from '../../src/operators/requestCredits.js';
import {
  type AsyncPipelineBuilder,
  checkFlowControlAsync,
  FlowControlViolationError,
} from '../../src/testing/index.js';

/** Stands for a service call: fast-check decides when each one settles. */
const save = async (n: number): Promise<number> => n;

type ServiceMapping = (project: (n: number) => Promise<number>) => OperatorFunction<number, number>;
const oneAtATime: ServiceMapping = (project) => concatMap(project);
const concurrently: ServiceMapping = (project) => mergeMap(project);

const through =
  (mapping: ServiceMapping): AsyncPipelineBuilder<number, number> =>
  (source, credits, { onDrop, promises }) => {
    const scheduledSave = promises.scheduleFunction(save);
    return source.pipe(
      requestCredits(credits, { onDrop }),
      mapping((n) => scheduledSave(n)),
    );
  };

async function failureOf(check: Promise<void>): Promise<FlowControlViolationError> {
  const error = await check.then(
    () => new Error('expected the check to fail, and it passed'),
    (reason: unknown) => reason,
  );
  if (error instanceof FlowControlViolationError) return error;
  throw error;
}

describe('checkFlowControlAsync', () => {
  it('passes a pipeline that calls a promise-based service one item at a time', async () => {
    await expect(
      checkFlowControlAsync(through(oneAtATime), {
        numRuns: 150,
        scenario: { unsubscribe: false, error: false },
      }),
    ).resolves.toBeUndefined();
  });

  it('catches concurrent calls that settle out of order, and reports the promise schedule', async () => {
    const failure = await failureOf(
      checkFlowControlAsync(through(concurrently), {
        numRuns: 300,
        scenario: { unsubscribe: false, error: false },
      }),
    );
    expect(failure.violations[0]?.invariant).toBe('preservesOrder');
    // The schedule is replayed as drawn, so fewer steps may not reorder any more: a little larger than sync.
    expect(failure.scenario.steps.length).toBeLessThanOrEqual(10);
    expect(failure.message).toMatch(/^checkFlowControlAsync: preservesOrder broke: /);
    expect(failure.message).toContain('Promise schedule (fast-check):');
    expect(failure.message).toContain('function::save(');
  });

  it('catches work in flight that is cancelled on unsubscribe without being reported', async () => {
    const failure = await failureOf(
      checkFlowControlAsync(through(oneAtATime), {
        numRuns: 300,
        invariants: ['conservesItems'],
        scenario: { complete: false, error: false },
      }),
    );
    expect(failure.scenario.steps.at(-1)?.kind).toBe('unsubscribe');
    expect(failure.trace.finalState.output).toBe('unsubscribed');
    expect(failure.trace.finalState.held).toBeGreaterThan(0);
  });

  it('replays the same counterexample from the seed and path of the report', async () => {
    const failure = await failureOf(
      checkFlowControlAsync(through(concurrently), {
        numRuns: 300,
        scenario: { unsubscribe: false, error: false },
      }),
    );
    const replayed = await failureOf(
      checkFlowControlAsync(through(concurrently), {
        scenario: { unsubscribe: false, error: false },
        seed: failure.seed,
        path: failure.path,
      }),
    );
    expect(replayed.scenario).toEqual(failure.scenario);
    expect(replayed.trace.events).toEqual(failure.trace.events);
    expect(replayed.message).toBe(failure.message);
  });

  it('stops settling promise work that never ends once the last step has run, as time stops at its horizon', async () => {
    // A pipeline that polls a service for ever; capped here only so the test fails rather than hangs
    // when the kit has no limit (its microtask loop would starve the test runner's own timeout).
    const pollsWhenUnlimited = 20_000;
    let mostPolls = 0;
    const polling: AsyncPipelineBuilder<number, number> = (source, credits, { onDrop, promises }) => {
      let polls = 0;
      const poll = defer(() => {
        polls += 1;
        mostPolls = Math.max(mostPolls, polls);
        return promises.schedule(Promise.resolve(polls));
      });
      return merge(
        source.pipe(requestCredits(credits, { onDrop })),
        poll.pipe(repeat(pollsWhenUnlimited), ignoreElements()),
      );
    };
    await checkFlowControlAsync(polling, {
      numRuns: 3,
      invariants: ['neverExceedsCredit'],
      scenario: { maxSteps: 3, unsubscribe: false },
    });
    expect(mostPolls).toBeLessThan(pollsWhenUnlimited);
  });

  it('refuses bad arguments at the call, before returning a promise', () => {
    expect(() => checkFlowControlAsync(42 as never)).toThrow(
      new TypeError(
        'checkFlowControlAsync(build, options): build must be a function returning an Observable, got 42.',
      ),
    );
    expect(() => checkFlowControlAsync(through(oneAtATime), { numRuns: -3 })).toThrow(
      new RangeError(
        'checkFlowControlAsync(build, options): options.numRuns must be a positive integer, got -3.',
      ),
    );
  });
});
