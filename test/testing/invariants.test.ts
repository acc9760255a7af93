import { describe, expect, it } from 'vitest';
import { type FlowEvent, FlowTrace, invariants } from '../../src/testing/index.js';

type Event = FlowEvent<string, string>;

/** A trace whose events happen at time 0, quiet after every event unless told otherwise. */
function traceOf(
  events: Event[],
  quietMoments = events.map((_, index) => index + 1),
): FlowTrace<string, string> {
  return new FlowTrace({ initialCredit: 0, steps: [] }, events, quietMoments);
}

const open: Event[] = [
  { at: 0, kind: 'subscribed' },
  { at: 0, kind: 'creditsSubscribed' },
  { at: 0, kind: 'sourceSubscribed' },
];
const received = (item: string): Event => ({ at: 0, kind: 'received', item });
const delivered = (item: string): Event => ({ at: 0, kind: 'delivered', item });
const granted = (credits: number): Event => ({ at: 0, kind: 'granted', credits, reentrant: false });
const dropped = (item: string): Event => ({ at: 0, kind: 'dropped', item, reason: 'overflow' });
const released: Event[] = [
  { at: 0, kind: 'creditsReleased' },
  { at: 0, kind: 'sourceReleased' },
];

describe('invariants', () => {
  it('defines each of the seven in one sentence, with the Reactive Streams rule where there is one', () => {
    expect(Object.keys(invariants)).toEqual([
      'neverExceedsCredit',
      'conservesItems',
      'preservesOrder',
      'drainsBeforeComplete',
      'nothingAfterTerminal',
      'releasesOnUnsubscribe',
      'noStallWithCredit',
    ]);
    for (const [name, invariant] of Object.entries(invariants)) {
      expect(invariant.name).toBe(name);
      expect(invariant.description).toMatch(/^[A-Z][^.]*\.$/);
    }
    expect(invariants.neverExceedsCredit.rule).toBe('§1.1');
    expect(invariants.nothingAfterTerminal.rule).toBe('§1.7, §1.8');
    expect(invariants.releasesOnUnsubscribe.rule).toBe('§3.13, §1.6');
  });

  describe('neverExceedsCredit', () => {
    it('holds while deliveries stay within the credit granted so far', () => {
      expect(
        invariants.neverExceedsCredit.check(traceOf([granted(1), received('a'), delivered('a')])),
      ).toBeUndefined();
    });

    it('breaks at the first delivery beyond the credit, even when a later grant covers it', () => {
      const trace = traceOf([
        granted(1),
        received('a'),
        received('b'),
        delivered('a'),
        delivered('b'),
        granted(5),
      ]);
      expect(invariants.neverExceedsCredit.check(trace)).toEqual({
        invariant: 'neverExceedsCredit',
        message: 'delivery number 2 came with only 1 credit granted.',
        eventIndex: 4,
      });
    });
  });

  describe('conservesItems', () => {
    it('holds when every item of an ended output was delivered or reported dropped', () => {
      const trace = traceOf(
        [
          granted(1),
          received('a'),
          received('b'),
          delivered('a'),
          { at: 0, kind: 'unsubscribed' },
          dropped('b'),
        ],
        [6],
      );
      expect(invariants.conservesItems.check(trace)).toBeUndefined();
    });

    it('breaks when an ended output lost an item without reporting it', () => {
      const trace = traceOf([received('a'), { at: 0, kind: 'completed' }]);
      expect(invariants.conservesItems.check(trace)?.message).toBe(
        'the output ended (completed) with 1 of 1 received item neither delivered (0) nor reported dropped (0).',
      );
    });

    it('breaks when more items come out than went in', () => {
      const trace = traceOf([granted(2), received('a'), delivered('a'), dropped('a')]);
      expect(invariants.conservesItems.check(trace)).toMatchObject({ eventIndex: 3 });
    });
  });

  describe('preservesOrder', () => {
    it('holds when dropped items are skipped but none is reordered', () => {
      const trace = traceOf([received('a'), received('b'), received('c'), delivered('a'), delivered('c')]);
      expect(invariants.preservesOrder.check(trace)).toBeUndefined();
    });

    it('breaks on a reordered, repeated or invented item', () => {
      const reordered = traceOf([received('a'), received('b'), delivered('b'), delivered('a')]);
      expect(invariants.preservesOrder.check(reordered)).toEqual({
        invariant: 'preservesOrder',
        message: 'delivered "a", which was not received after the items delivered before it.',
        eventIndex: 3,
      });
      expect(
        invariants.preservesOrder.check(traceOf([received('a'), delivered('a'), delivered('a')])),
      ).toBeDefined();
      expect(invariants.preservesOrder.check(traceOf([delivered('z')]))).toBeDefined();
    });
  });

  describe('drainsBeforeComplete', () => {
    it('holds when the output completes right after the source, once nothing is held', () => {
      const trace = traceOf(
        [
          received('a'),
          granted(1),
          delivered('a'),
          { at: 0, kind: 'sourceCompleted' },
          { at: 0, kind: 'completed' },
        ],
        [3, 5],
      );
      expect(invariants.drainsBeforeComplete.check(trace)).toBeUndefined();
    });

    it('breaks when the output completes while an item is held', () => {
      const trace = traceOf(
        [received('a'), { at: 0, kind: 'sourceCompleted' }, { at: 0, kind: 'completed' }, dropped('a')],
        [4],
      );
      expect(invariants.drainsBeforeComplete.check(trace)).toMatchObject({ eventIndex: 2 });
    });

    it('breaks when the source completed, nothing is held, and the output goes quiet without completing', () => {
      const trace = traceOf([received('a'), dropped('a'), { at: 0, kind: 'sourceCompleted' }]);
      expect(invariants.drainsBeforeComplete.check(trace)?.message).toBe(
        'the source completed and nothing is held, yet the output has not completed.',
      );
    });
  });

  describe('nothingAfterTerminal', () => {
    it('holds when drops are reported after the end, but nothing is signalled', () => {
      const trace = traceOf([received('a'), { at: 0, kind: 'unsubscribed' }, dropped('a')]);
      expect(invariants.nothingAfterTerminal.check(trace)).toBeUndefined();
    });

    it('breaks on a delivery after unsubscribe and on a second terminal signal', () => {
      const late = traceOf([granted(1), received('a'), { at: 0, kind: 'unsubscribed' }, delivered('a')]);
      expect(invariants.nothingAfterTerminal.check(late)?.message).toBe(
        'the output delivered an item after it had been unsubscribed.',
      );
      const twice = traceOf([
        { at: 0, kind: 'completed' },
        { at: 0, kind: 'errored', error: new Error('x') },
      ]);
      expect(invariants.nothingAfterTerminal.check(twice)?.message).toBe(
        'the output errored after it had completed.',
      );
    });
  });

  describe('releasesOnUnsubscribe', () => {
    it('holds when the source and credits are released and nothing is held', () => {
      const trace = traceOf([...open, { at: 0, kind: 'unsubscribed' }, ...released], [3, 6]);
      expect(invariants.releasesOnUnsubscribe.check(trace)).toBeUndefined();
    });

    it('breaks when the source stays subscribed after the output ended', () => {
      const trace = traceOf([...open, { at: 0, kind: 'errored', error: 1 }, released[0] as Event], [3, 5]);
      expect(invariants.releasesOnUnsubscribe.check(trace)).toEqual({
        invariant: 'releasesOnUnsubscribe',
        message: 'the output ended (errored) but left 1 source subscription open.',
        eventIndex: 4,
      });
    });
  });

  describe('noStallWithCredit', () => {
    it('holds when held items wait for credit, and when credit waits for items', () => {
      expect(invariants.noStallWithCredit.check(traceOf([received('a')]))).toBeUndefined();
      expect(invariants.noStallWithCredit.check(traceOf([granted(3)]))).toBeUndefined();
    });

    it('breaks at a quiet moment with both a held item and unspent credit', () => {
      const trace = traceOf([received('a'), granted(2), delivered('a')], [1, 2, 3]);
      expect(invariants.noStallWithCredit.check(trace)).toEqual({
        invariant: 'noStallWithCredit',
        message:
          'the pipeline went quiet with 1 item neither delivered nor reported dropped, and 2 unspent credits.',
        eventIndex: 1,
      });
      // Not quiet between the grant and the delivery: no stall.
      expect(
        invariants.noStallWithCredit.check(traceOf([received('a'), granted(2), delivered('a')], [1, 3])),
      ).toBeUndefined();
    });
  });
});
