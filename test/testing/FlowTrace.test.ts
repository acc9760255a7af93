import { describe, expect, it } from 'vitest';
import { type FlowEvent, FlowTrace } from '../../src/testing/index.js';

const scenario = { initialCredit: 0, steps: [] };

describe('FlowTrace', () => {
  const events: FlowEvent<string, string>[] = [
    { at: 0, kind: 'subscribed' },
    { at: 0, kind: 'creditsSubscribed' },
    { at: 0, kind: 'sourceSubscribed' },
    { at: 1, kind: 'received', item: 'a' },
    { at: 1, kind: 'received', item: 'bb' },
    { at: 2, kind: 'granted', credits: 1, reentrant: false },
    { at: 2, kind: 'delivered', item: 'a' },
    { at: 2, kind: 'granted', credits: Number.POSITIVE_INFINITY, reentrant: true },
    { at: 12, kind: 'dropped', item: 'bb', reason: 'expired' },
    { at: 12, kind: 'unsubscribed' },
    { at: 12, kind: 'creditsReleased' },
    { at: 12, kind: 'sourceReleased' },
  ];
  const trace = new FlowTrace(scenario, events, [3, 5, 8, 12]);

  it('keeps the ledger after every prefix of events', () => {
    expect(trace.stateAfter(5)).toEqual({
      at: 1,
      received: 2,
      delivered: 0,
      dropped: 0,
      held: 2,
      granted: 0,
      outstanding: 0,
      sourceSubscriptions: 1,
      creditSubscriptions: 1,
      source: 'open',
      output: 'open',
    });
    expect(trace.stateAfter(8)).toMatchObject({ delivered: 1, held: 1, granted: Number.POSITIVE_INFINITY });
    expect(trace.finalState).toMatchObject({
      held: 0,
      dropped: 1,
      output: 'unsubscribed',
      sourceSubscriptions: 0,
    });
  });

  it('counts a total of grants beyond MAX_SAFE_INTEGER as unbounded', () => {
    const huge = new FlowTrace(
      scenario,
      [
        { at: 0, kind: 'granted', credits: Number.MAX_SAFE_INTEGER, reentrant: false },
        { at: 0, kind: 'granted', credits: 1, reentrant: false },
      ],
      [],
    );
    expect(huge.stateAfter(1).granted).toBe(Number.MAX_SAFE_INTEGER);
    expect(huge.finalState.granted).toBe(Number.POSITIVE_INFINITY);
  });

  it('lists the received, delivered and dropped items', () => {
    expect(trace.received).toEqual(['a', 'bb']);
    expect(trace.delivered).toEqual(['a']);
    expect(trace.dropped).toEqual([{ item: 'bb', reason: 'expired' }]);
  });

  it('renders an aligned timeline, one lane per column and the time on the first row of each tick', () => {
    expect(String(trace)).toBe(
      [
        'time  source  credits     output  dropped',
        '   0                      ^',
        '              ^',
        '      ^',
        '   1  "a"',
        '      "bb"',
        '   2          +1',
        '                          "a"',
        '              +∞ in next',
        '  12                              "bb" (expired)',
        '                          !',
        '              !',
        '      !',
        '(^ subscribed, ! unsubscribed or released, | completed, # errored, +n granted)',
      ].join('\n'),
    );
  });

  it('refuses a prefix length outside the trace, and malformed quiet moments', () => {
    expect(() => trace.stateAfter(13)).toThrow(RangeError);
    expect(() => trace.stateAfter(13)).toThrow('eventCount must be an integer from 0 to 12, got 13.');
    expect(() => new FlowTrace(scenario, events, [20])).toThrow(
      new RangeError(
        'new FlowTrace(scenario, events, quietMoments): quietMoments[0] must be an event count from 0 to 12, got 20.',
      ),
    );
    expect(() => new FlowTrace(scenario, 'x' as never, [])).toThrow(TypeError);
  });
});
