import { delay, interval, map, Observable, switchMap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type FlowEvent, type FlowScenario, type FlowStep, runScenario } from '../../src/testing/index.js';
import { bufferWithCredits } from './fixtures/bufferWithCredits.js';

const kinds = (events: readonly FlowEvent<unknown, unknown>[]): string[] =>
  events.map((event) => `${event.at} ${event.kind}`);

describe('runScenario', () => {
  it('records every event with its virtual time, subscriptions and releases included', () => {
    const trace = runScenario(
      {
        initialCredit: 1,
        steps: [
          { at: 0, kind: 'emit', item: 'a' },
          { at: 2, kind: 'emit', item: 'b' },
          { at: 3, kind: 'grant', credits: 1 },
          { at: 3, kind: 'complete' },
        ],
      },
      (source, credits, context) => source.pipe(bufferWithCredits(credits, context)),
    );
    expect(trace.events).toEqual([
      { at: 0, kind: 'granted', credits: 1, reentrant: false },
      { at: 0, kind: 'subscribed' },
      { at: 0, kind: 'creditsSubscribed' },
      { at: 0, kind: 'sourceSubscribed' },
      { at: 0, kind: 'received', item: 'a' },
      { at: 0, kind: 'delivered', item: 'a' },
      { at: 2, kind: 'received', item: 'b' },
      { at: 3, kind: 'granted', credits: 1, reentrant: false },
      { at: 3, kind: 'delivered', item: 'b' },
      { at: 3, kind: 'sourceCompleted' },
      { at: 3, kind: 'completed' },
      { at: 3, kind: 'creditsReleased' },
      { at: 3, kind: 'sourceReleased' },
    ]);
    // After the subscription and after each of the four steps.
    expect(trace.quietMoments).toEqual([4, 6, 7, 9, 13]);
  });

  it('makes re-entrant grants inside next, one per delivery, in order', () => {
    const trace = runScenario(
      {
        initialCredit: 0,
        steps: [
          { at: 0, kind: 'emit', item: 1 },
          { at: 0, kind: 'emit', item: 2 },
          { at: 0, kind: 'emit', item: 3 },
          { at: 0, kind: 'grantInNext', credits: 1 },
          { at: 0, kind: 'grantInNext', credits: 1 },
          { at: 1, kind: 'grant', credits: 1 },
        ],
      },
      (source, credits, context) => source.pipe(bufferWithCredits(credits, context)),
    );
    expect(kinds(trace.events).slice(6)).toEqual([
      '1 granted',
      '1 delivered',
      '1 granted',
      '1 delivered',
      '1 granted',
      '1 delivered',
    ]);
    expect(trace.events.filter((event) => event.kind === 'granted').map((event) => event.reentrant)).toEqual([
      false,
      true,
      true,
    ]);
    expect(trace.delivered).toEqual([1, 2, 3]);
  });

  it('takes the simple form (source, credits) of a builder, and a pipeline that ignores credits', () => {
    const trace = runScenario({ initialCredit: 0, steps: [{ at: 0, kind: 'emit', item: 5 }] }, (source) =>
      source.pipe(map((n) => n * 2)),
    );
    expect(trace.delivered).toEqual([10]);
    expect(trace.finalState).toMatchObject({
      granted: 0,
      delivered: 1,
      outstanding: -1,
      creditSubscriptions: 0,
    });
  });

  it('records drops the pipeline reports through the context, with their reason', () => {
    const trace = runScenario(
      {
        initialCredit: 0,
        steps: [
          { at: 0, kind: 'emit', item: 'a' },
          { at: 1, kind: 'unsubscribe' },
        ],
      },
      (source, credits, context) => source.pipe(bufferWithCredits(credits, context)),
    );
    expect(trace.dropped).toEqual([{ item: 'a', reason: 'unsubscribed' }]);
    expect(trace.finalState).toMatchObject({ received: 1, dropped: 1, held: 0, output: 'unsubscribed' });
  });

  it('uses a hot source: an item emitted before the pipeline subscribes to it is not received', () => {
    const trace = runScenario(
      {
        initialCredit: 0,
        steps: [
          { at: 0, kind: 'emit', item: 'early' },
          { at: 5, kind: 'emit', item: 'late' },
        ],
      },
      (source, _credits, { scheduler }) => timer(2, scheduler).pipe(switchMap(() => source)),
    );
    expect(trace.received).toEqual(['late']);
    expect(trace.events.find((event) => event.kind === 'sourceSubscribed')?.at).toBe(2);
  });

  it('runs virtual timers between the steps they are due before, and after the last step', () => {
    const trace = runScenario(
      {
        initialCredit: 0,
        steps: [
          { at: 0, kind: 'emit', item: 'a' },
          { at: 1, kind: 'emit', item: 'b' },
          { at: 10, kind: 'grant', credits: 1 },
        ],
      },
      (source, _credits, { scheduler }) => source.pipe(delay(4, scheduler)),
    );
    expect(trace.events.filter((event) => event.kind === 'delivered').map((event) => event.at)).toEqual([
      4, 5,
    ]);

    const afterLast = runScenario(
      { initialCredit: 0, steps: [{ at: 1, kind: 'emit', item: 'a' }] },
      (source, _c, { scheduler }) => source.pipe(delay(50, scheduler)),
    );
    expect(afterLast.events.at(-1)).toEqual({ at: 51, kind: 'delivered', item: 'a' });
  });

  it('lets time run on for at most a virtual second after the last step, so a periodic timer ends', () => {
    const trace = runScenario(
      { initialCredit: 0, steps: [{ at: 5, kind: 'grant', credits: 1 }] },
      (_source, _credits, { scheduler }) => interval(100, scheduler),
    );
    expect(trace.delivered).toHaveLength(10);
    expect(trace.events.at(-1)).toEqual({ at: 1000, kind: 'delivered', item: 9 });
  });

  it('ends a run whose timer of no delay never lets time move on with a runaway error, rather than hanging', () => {
    // A vitest timeout cannot interrupt a synchronous loop, so the pipeline guards itself: far past
    // the runner's bound it errors, which ends the run (without the runaway error) instead of hanging.
    const run = () =>
      runScenario(
        { initialCredit: 0, steps: [{ at: 5, kind: 'grant', credits: 1 }] },
        (_source, _credits, { scheduler }) =>
          interval(0, scheduler).pipe(
            map((tick) => {
              if (tick > 1_000_000) throw new Error('the runner let a runaway timer go on');
              return tick;
            }),
          ),
      );
    expect(run).toThrow(
      expect.objectContaining({
        code: 'ERR_SCENARIO_RUNAWAY',
        message: expect.stringContaining('100000 timer actions ran at virtual time 0'),
      }),
    );
  });

  it('records signals a broken pipeline sends after it completed', () => {
    const trace = runScenario(
      { initialCredit: 1, steps: [] },
      () =>
        new Observable<string>((subscriber) => {
          subscriber.complete();
          subscriber.next('late');
        }),
    );
    expect(kinds(trace.events)).toEqual(['0 granted', '0 subscribed', '0 completed', '0 delivered']);
  });

  it('rethrows what the run throws', () => {
    const boom = new Error('boom');
    expect(() =>
      runScenario(
        { initialCredit: 0, steps: [{ at: 0, kind: 'unsubscribe' }] },
        () =>
          new Observable(() => () => {
            throw boom;
          }),
      ),
    ).toThrow('boom');
  });

  it.each([
    [
      null,
      TypeError,
      'runScenario(scenario, build): scenario must be a FlowScenario ({ initialCredit, steps }), got null.',
    ],
    [
      { initialCredit: -1, steps: [] },
      RangeError,
      'scenario.initialCredit must be a positive safe integer or Infinity, got -1.',
    ],
    [
      {
        initialCredit: 0,
        steps: [
          { at: 2, kind: 'grant', credits: 1 },
          { at: 1, kind: 'grant', credits: 1 },
        ],
      },
      RangeError,
      'scenario.steps[1].at must be a finite time at least 2 (steps are in time order), got 1.',
    ],
    [
      { initialCredit: 0, steps: [{ at: 0, kind: 'grant', credits: 0 }] },
      RangeError,
      'scenario.steps[0].credits must be a positive safe integer or Infinity, got 0.',
    ],
    [
      { initialCredit: 0, steps: [{ at: 0, kind: 'jump' }] },
      TypeError,
      "scenario.steps[0] must be a step with a kind among emit, grant, grantInNext, complete, error, unsubscribe; got kind 'jump' (string).",
    ],
    [
      {
        initialCredit: 0,
        steps: [
          { at: 0, kind: 'complete' },
          { at: 0, kind: 'emit', item: 1 },
        ],
      },
      TypeError,
      'scenario.steps[1] (emit) comes after the source ended at steps[0].',
    ],
    [
      {
        initialCredit: 0,
        steps: [
          { at: 0, kind: 'unsubscribe' },
          { at: 0, kind: 'grant', credits: 1 },
        ],
      },
      TypeError,
      'scenario.steps[1] comes after the unsubscribe at steps[0].',
    ],
  ])('refuses a bad scenario with a typed error naming the step (%#)', (scenario, type, message) => {
    const run = (): unknown => runScenario(scenario as FlowScenario<unknown>, (source) => source);
    expect(run).toThrow(type);
    expect(run).toThrow(message);
  });

  it('refuses a step array with a hole, naming the missing step rather than failing inside the run', () => {
    const steps: FlowStep<number>[] = [];
    steps[1] = { at: 0, kind: 'emit', item: 1 };
    expect(() => runScenario({ initialCredit: 1, steps }, (source) => source)).toThrow(
      new TypeError(
        'runScenario(scenario, build): scenario.steps[0] must be a step with a kind among emit, grant, grantInNext, complete, error, unsubscribe; got undefined.',
      ),
    );
  });

  it('refuses a build that is not a function, or that returns no Observable', () => {
    const scenario: FlowScenario<number> = { initialCredit: 0, steps: [] };
    expect(() => runScenario(scenario, 'pipe' as never)).toThrow(
      new TypeError(
        "runScenario(scenario, build): build must be a function returning an Observable, got 'pipe' (string).",
      ),
    );
    expect(() => runScenario(scenario, () => [1, 2] as never)).toThrow(
      new TypeError('build(source, credits, context) must return an Observable, got an array.'),
    );
  });
});
