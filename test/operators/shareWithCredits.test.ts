import * as fc from 'fast-check';
import { Observable, Subject, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  CreditController,
  type DropReason,
  pullFrom,
  type SharePolicy,
  shareWithCredits,
} from '../../src/index.js';
import { checkFlowControl } from '../../src/testing/index.js';
import { virtualClock } from '../virtualClock.js';

/** 0..count-1, counting reads, so a test sees how far the shared source was pulled. */
function counted(count: number, onRead?: (reads: number) => void) {
  const state = { reads: 0 };
  function* items(): Generator<number> {
    for (let n = 0; n < count; n++) {
      state.reads++;
      onRead?.(state.reads);
      yield n;
    }
  }
  return { state, items: items() };
}

/** A branch's consumer: its own controller, what it granted, got and saw dropped. */
function consumer(initial = 0) {
  const credits = new CreditController();
  const record = {
    credits,
    granted: 0,
    received: [] as number[],
    drops: [] as [number, DropReason][],
    completed: false,
    grant(n: number) {
      record.granted += n;
      credits.grant(n);
    },
  };
  if (initial > 0) record.grant(initial);
  return record;
}

describe('shareWithCredits', () => {
  describe('a fast and a slow (10 ms) branch over pullFrom, in virtual time', () => {
    const count = 2_000;

    function run(policy: SharePolicy) {
      const { scheduler, advance } = virtualClock();
      const fast = consumer(1);
      const slow = consumer(1);
      const readsAt: { reads: number; fast: number; slow: number }[] = [];
      const source = counted(count, (reads) =>
        readsAt.push({ reads, fast: fast.granted, slow: slow.granted }),
      );
      const shared = shareWithCredits((credits) => pullFrom(source.items, credits), {
        policy,
        startAfter: 2,
      });
      shared.branch(fast.credits).subscribe({
        next: (n) => {
          fast.received.push(n);
          expect(fast.received.length).toBeLessThanOrEqual(fast.granted);
          fast.grant(1);
        },
        complete: () => {
          fast.completed = true;
        },
      });
      shared
        .branch(slow.credits, { strategy: 'latest', onDrop: (n, reason) => slow.drops.push([n, reason]) })
        .subscribe({
          next: (n) => {
            slow.received.push(n);
            expect(slow.received.length).toBeLessThanOrEqual(slow.granted);
            scheduler.schedule(() => slow.grant(1), 10);
          },
          complete: () => {
            slow.completed = true;
          },
        });
      return { fast, slow, source, readsAt, advance, scheduler };
    }

    it("'slowest': neither branch receives more than it granted, and the source is read at the slow pace", () => {
      const { fast, slow, source, readsAt, advance } = run('slowest');
      advance(1_000);
      // One item every 10 ms: the first at once, then 100 more in a second.
      expect(source.state.reads).toBe(101);
      expect(fast.received).toHaveLength(101);
      for (const { reads, fast: fastGranted, slow: slowGranted } of readsAt) {
        expect(reads).toBeLessThanOrEqual(Math.min(fastGranted, slowGranted));
      }
      advance(count * 10);
      expect(fast.received).toEqual([...Array(count).keys()]);
      expect(slow.received).toEqual([...Array(count).keys()]);
      expect(slow.drops).toEqual([]);
      expect(fast.completed && slow.completed).toBe(true);
    });

    it("'fastest': the fast branch runs at full speed, the slow one gets the latest and its drops are reported", () => {
      const { fast, slow, source, advance } = run('fastest');
      // All read at once, at the fast branch's pace, without waiting for the slow one.
      expect(source.state.reads).toBe(count);
      expect(fast.received).toEqual([...Array(count).keys()]);
      expect(fast.completed).toBe(true);
      advance(100);
      expect(slow.received).toEqual([0, count - 1]);
      expect(slow.drops).toHaveLength(count - 2);
      expect(slow.drops.every(([, reason]) => reason === 'replaced')).toBe(true);
      expect(slow.received.length + slow.drops.length).toBe(count);
      expect(slow.completed).toBe(true);
    });
  });

  it("'quorum': reads as soon as the quorum of branches has room", () => {
    const source = counted(100);
    const shared = shareWithCredits((credits) => pullFrom(source.items, credits), {
      policy: 'quorum',
      quorum: 2,
    });
    const consumers = [consumer(), consumer(), consumer()];
    for (const each of consumers)
      shared.branch(each.credits, { strategy: 'drop' }).subscribe((n) => each.received.push(n));
    consumers[0]?.grant(5);
    expect(source.state.reads).toBe(0); // one of three has room: not a quorum
    consumers[1]?.grant(3);
    expect(source.state.reads).toBe(3); // two have room for 3
    consumers[2]?.grant(10);
    expect(source.state.reads).toBe(5); // now two have room for 5 (the first and the third)
    expect(consumers.map((each) => each.received)).toEqual([
      [0, 1, 2, 3, 4],
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it("'quorum' with fewer branches than the quorum waits for all of them", () => {
    const source = counted(100);
    const shared = shareWithCredits((credits) => pullFrom(source.items, credits), {
      policy: 'quorum',
      quorum: 3,
      startAfter: 2,
    });
    const a = consumer(4);
    const b = consumer(2);
    shared.branch(a.credits).subscribe();
    shared.branch(b.credits).subscribe();
    expect(source.state.reads).toBe(2);
  });

  it("a slow branch leaving frees the others at once under 'slowest'; joining late starts from that moment", () => {
    const source = counted(100);
    const shared = shareWithCredits((credits) => pullFrom(source.items, credits), { startAfter: 2 });
    const fast = consumer(10);
    const slow = consumer(2);
    shared.branch(fast.credits).subscribe((n) => fast.received.push(n));
    const leaving: Subscription = shared.branch(slow.credits).subscribe((n) => slow.received.push(n));
    expect(source.state.reads).toBe(2);
    expect(shared.branches).toBe(2);
    leaving.unsubscribe();
    expect(shared.branches).toBe(1);
    expect(source.state.reads).toBe(10);
    const late = consumer(0);
    shared.branch(late.credits).subscribe((n) => late.received.push(n));
    fast.grant(5);
    expect(source.state.reads).toBe(10); // the newcomer has not granted yet
    late.grant(3);
    expect(late.received).toEqual([10, 11, 12]);
    expect(fast.received).toEqual([...Array(13).keys()]);
  });

  it('releases the source when the last branch leaves and starts it afresh for the next one', () => {
    let subscriptions = 0;
    let releases = 0;
    const source = new Observable<number>(() => {
      subscriptions++;
      return () => {
        releases++;
      };
    });
    const shared = shareWithCredits(source);
    const first = shared.branch(new CreditController()).subscribe();
    const second = shared.branch(new CreditController()).subscribe();
    first.unsubscribe();
    expect(releases).toBe(0);
    second.unsubscribe();
    expect([subscriptions, releases]).toEqual([1, 1]);
    shared.branch(new CreditController()).subscribe();
    expect(subscriptions).toBe(2);
  });

  it('applies each branch strategy to a plain Observable it cannot slow, and finishes every branch when it ends', () => {
    const source = new Subject<number>();
    const shared = shareWithCredits(source, { policy: 'fastest' });
    const buffered = consumer(1);
    const dropping = consumer(1);
    shared.branch(buffered.credits, { bufferSize: 10 }).subscribe({
      next: (n) => buffered.received.push(n),
      complete: () => {
        buffered.completed = true;
      },
    });
    shared
      .branch(dropping.credits, { strategy: 'drop', onDrop: (n, reason) => dropping.drops.push([n, reason]) })
      .subscribe((n) => dropping.received.push(n));
    for (let n = 0; n < 4; n++) source.next(n);
    source.complete();
    expect(dropping.received).toEqual([0]);
    expect(dropping.drops).toEqual([
      [1, 'no-credit'],
      [2, 'no-credit'],
      [3, 'no-credit'],
    ]);
    expect(buffered.completed).toBe(false); // three items still wait for credit
    buffered.grant(3);
    expect(buffered.received).toEqual([0, 1, 2, 3]);
    expect(buffered.completed).toBe(true);
  });

  it('does not let a branch whose credit signal ended with its credit spent hold the others back', () => {
    const source = counted(100);
    const shared = shareWithCredits((credits) => pullFrom(source.items, credits), { startAfter: 2 });
    const done = consumer(1);
    const going = consumer(5);
    shared.branch(done.credits).subscribe();
    shared.branch(going.credits).subscribe((n) => going.received.push(n));
    expect(source.state.reads).toBe(1);
    done.credits.complete();
    expect(going.received).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a bad source or bad options, naming them', () => {
    expect(() => shareWithCredits(5 as never)).toThrow(
      /shareWithCredits\(source\): source must be an Observable/,
    );
    expect(() => shareWithCredits(new Subject(), { policy: 'slow' as never })).toThrow(RangeError);
    expect(() => shareWithCredits(new Subject(), { policy: 'quorum' })).toThrow(
      /quorum must be a positive safe integer/,
    );
    expect(() => shareWithCredits(new Subject(), { quorum: 2 })).toThrow(/applies only to policy 'quorum'/);
    expect(() => shareWithCredits(new Subject(), { startAfter: 0 })).toThrow(
      /startAfter must be a positive safe integer, got 0/,
    );
    expect(() => shareWithCredits(new Subject(), { polcy: 'fastest' } as never)).toThrow(
      /polcy is not an option/,
    );
    const shared = shareWithCredits(new Subject<number>());
    expect(() => shared.branch('x' as never)).toThrow(/branch\(credits\) must be a CreditProvider/);
    expect(() => shared.branch(new CreditController(), { strategy: 'nope' as never })).toThrow(
      /branch\(options\).strategy/,
    );
    const errors: unknown[] = [];
    shareWithCredits(() => 3 as never)
      .branch(new CreditController())
      .subscribe({ error: (error: unknown) => errors.push(error) });
    expect(String(errors[0])).toMatch(/the factory must return an Observable, got 3/);
  });

  describe.each<SharePolicy>(['slowest', 'fastest', 'quorum'])("one branch, policy '%s'", (policy) => {
    it("keeps the testing kit's flow-control contract", () => {
      expect(() =>
        checkFlowControl(
          (source, credits, { onDrop, scheduler }) =>
            shareWithCredits(source, policy === 'quorum' ? { policy, quorum: 1 } : { policy }).branch(
              credits,
              {
                onDrop,
                scheduler,
              },
            ),
          { numRuns: 100 },
        ),
      ).not.toThrow();
    });
  });

  it('never sends any branch more than it granted, under any join, leave and grant schedule (fc.scheduler)', async () => {
    type Action =
      | { kind: 'join'; branch: number }
      | { kind: 'leave'; branch: number }
      | { kind: 'grant'; branch: number; n: number };
    const action = fc.oneof(
      fc.record({ kind: fc.constant('join' as const), branch: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('leave' as const), branch: fc.integer({ min: 0, max: 3 }) }),
      fc.record({
        kind: fc.constant('grant' as const),
        branch: fc.integer({ min: 0, max: 3 }),
        n: fc.integer({ min: 1, max: 4 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.constantFrom<SharePolicy>('slowest', 'fastest', 'quorum'),
        fc.constantFrom<'buffer' | 'latest' | 'drop'>('buffer', 'latest', 'drop'),
        fc.array(action, { maxLength: 30 }),
        async (s, policy, strategy, actions: Action[]) => {
          const total = 40;
          const source = counted(total);
          const shared = shareWithCredits(
            (credits) => pullFrom(source.items, credits),
            policy === 'quorum' ? { policy, quorum: 2 } : { policy },
          );
          const branches = [0, 1, 2, 3].map(() =>
            Object.assign(consumer(), { subscription: undefined as Subscription | undefined }),
          );
          const join = (index: number) => {
            const branch = branches[index];
            if (branch === undefined || branch.subscription !== undefined) return;
            branch.subscription = shared
              .branch(branch.credits, { strategy, onDrop: (n, reason) => branch.drops.push([n, reason]) })
              .subscribe({
                next: (n) => {
                  branch.received.push(n);
                  // The property: never more delivered than granted.
                  expect(branch.received.length).toBeLessThanOrEqual(branch.granted);
                },
                complete: () => {
                  branch.completed = true;
                },
              });
          };
          for (const step of actions) {
            s.schedule(Promise.resolve(step)).then(() => {
              const branch = branches[step.branch];
              if (branch === undefined) return;
              if (step.kind === 'join') join(step.branch);
              else if (step.kind === 'leave') branch.subscription?.unsubscribe();
              else branch.grant(step.n);
            });
          }
          await s.waitAll();
          // No stall: whoever is still subscribed gets unbounded credit, and every one of them finishes.
          const staying = branches.filter(
            (branch) => branch.subscription !== undefined && !branch.subscription.closed,
          );
          for (const branch of staying) branch.grant(Number.POSITIVE_INFINITY);
          for (const branch of staying) expect(branch.completed).toBe(true);
          for (const branch of branches) {
            expect(branch.received.length).toBeLessThanOrEqual(branch.granted);
            // Nothing delivered twice, nothing out of order.
            expect([...branch.received].sort((a, b) => a - b)).toEqual(branch.received);
            expect(new Set(branch.received).size).toBe(branch.received.length);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
