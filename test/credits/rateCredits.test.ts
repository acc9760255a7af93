import * as fc from 'fast-check';
import { interval, Observable, of, type SchedulerLike, Subject, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  isBackpressureError,
  pullFrom,
  type RateCredits,
  type RequestCreditsOptions,
  rateCredits,
  requestCredits,
  shareWithCredits,
} from '../../src/index.js';
import { virtualClock } from '../virtualClock.js';

function* naturals(): Generator<number> {
  for (let n = 0; ; n++) yield n;
}

/**
 * Takes the bucket as code of one's own does: a meter over the credits it says it spent, subscribed
 * first, then credits$, recording each grant with its time. `spendAtOnce` spends every grant as it comes.
 */
function takeGrants(
  bucket: RateCredits,
  now: () => number,
  { spendAtOnce = false, onGrant }: { spendAtOnce?: boolean; onGrant?: (n: number) => void } = {},
) {
  const grants: { at: number; n: number }[] = [];
  const spent = new Subject<number>();
  const spend = (n: number) => spent.next(n);
  const subscription = spent.pipe(bucket.meter((n: number) => n)).subscribe();
  subscription.add(
    bucket.credits$.subscribe((n) => {
      grants.push({ at: now(), n });
      onGrant?.(n);
      if (spendAtOnce) spend(n);
    }),
  );
  const total = () => grants.reduce((sum, grant) => sum + grant.n, 0);
  return { grants, subscription, total, spend };
}

/** What happens to a bucket in the model tests, besides what its consumer does. */
type BucketStep =
  | { kind: 'wait'; ms: number }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'resubscribe' };
const bucketSteps = [
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 400 }) }),
  fc.constant({ kind: 'pause' as const }),
  fc.constant({ kind: 'resume' as const }),
  fc.constant({ kind: 'resubscribe' as const }),
] as const;

/** The model's clock: the time the bucket ran unpaused, all it may have granted from. */
interface ModelClock {
  activeMs: number;
  paused: boolean;
}

function runClock(
  step: Exclude<BucketStep, { kind: 'resubscribe' }>,
  bucket: RateCredits,
  advance: (ms: number) => void,
  clock: ModelClock,
): void {
  if (step.kind === 'wait') {
    advance(step.ms);
    if (!clock.paused) clock.activeMs += step.ms;
  } else if (step.kind === 'pause') {
    bucket.pause();
    clock.paused = true;
  } else {
    bucket.resume();
    clock.paused = false;
  }
}

describe('rateCredits', () => {
  it('grants exactly perSecond a second over a long run when every credit is spent at once', () => {
    for (const [perSecond, burst] of [
      [7, 3],
      [1000, 1],
      [2500, 10],
      [0.5, 2],
    ] as const) {
      const { scheduler, advance } = virtualClock();
      const bucket = rateCredits({ perSecond, burst, scheduler });
      const { total } = takeGrants(bucket, () => scheduler.now(), { spendAtOnce: true });
      const seconds = 200;
      advance(seconds * 1000);
      // The initial full bucket, then perSecond a second; the last credit of the run may be a timer away.
      const expected = burst + Math.floor(perSecond * seconds);
      expect(total()).toBeGreaterThanOrEqual(expected - 1);
      expect(total()).toBeLessThanOrEqual(expected);
    }
  });

  it('never lets credit pile up while the consumer is idle: outstanding stays at burst', () => {
    const { scheduler, advance } = virtualClock();
    const bucket = rateCredits({ perSecond: 100, burst: 5, scheduler });
    const { total, spend } = takeGrants(bucket, () => scheduler.now());
    advance(60_000);
    expect(total()).toBe(5);
    expect(bucket.outstanding).toBe(5);
    spend(5);
    advance(10);
    expect(total()).toBe(6); // one credit 10 ms after the spend, not a minute's worth
  });

  it('delivers at most burst items at once after a quiet spell, then the steady rate', () => {
    const { scheduler, advance } = virtualClock();
    const bucket = rateCredits({ perSecond: 1000, burst: 3, scheduler });
    const source = new Subject<number>();
    const deliveredAt: number[] = [];
    source
      .pipe(requestCredits(bucket, { strategy: 'drop' }))
      .subscribe(() => deliveredAt.push(scheduler.now()));
    advance(50); // idle: the bucket stays at 3
    for (let n = 0; n < 10; n++) source.next(n); // ten at once: three pass
    expect(deliveredAt).toEqual([50, 50, 50]);
    const ticker: Subscription = interval(1, scheduler).subscribe((n) => source.next(n));
    advance(5);
    ticker.unsubscribe();
    expect(deliveredAt).toEqual([50, 50, 50, 51, 52, 53, 54, 55]);
  });

  it('pauses: no grants and no accrual while paused; resume restarts from that moment', () => {
    const { scheduler, advance } = virtualClock();
    const bucket = rateCredits({ perSecond: 10, burst: 4, initial: 0, scheduler });
    const { grants, total } = takeGrants(bucket, () => scheduler.now(), { spendAtOnce: true });
    advance(250);
    expect(total()).toBe(2);
    bucket.pause();
    expect(bucket.paused).toBe(true);
    advance(10_000);
    expect(total()).toBe(2);
    bucket.resume();
    advance(100);
    expect(grants.map((grant) => grant.at)).toEqual([100, 200, 10_300]);
  });

  it('gives credit granted to a subscriber that left unspent to the next one, never more than burst', () => {
    const { scheduler, advance } = virtualClock();
    const bucket = rateCredits({ perSecond: 10, burst: 3, initial: 2, scheduler });
    const first = takeGrants(bucket, () => scheduler.now());
    first.spend(1);
    first.subscription.unsubscribe();
    advance(10_000);
    const second = takeGrants(bucket, () => scheduler.now());
    expect(second.total()).toBe(3);
  });

  describe('learning what was spent', () => {
    /**
     * One item a ms, each tick a timer of its own: `interval` on a VirtualTimeScheduler chains every
     * tick to the one before, and tearing down a long chain overflows the stack.
     */
    function flood(scheduler: SchedulerLike): Observable<number> {
      return new Observable<number>((subscriber) => {
        let tick = 0;
        let timer = scheduler.schedule(function next() {
          subscriber.next(tick++);
          timer = scheduler.schedule(next, 1);
        }, 1);
        return () => timer.unsubscribe();
      });
    }

    it.each([
      {
        consumer: 'requestCredits',
        cost: 1,
        take: (bucket: RateCredits, source: Observable<number>) =>
          source.pipe(requestCredits(bucket, { strategy: 'drop' })),
      },
      {
        consumer: 'requestCredits with cost(item) 5',
        cost: 5,
        take: (bucket: RateCredits, source: Observable<number>) =>
          source.pipe(requestCredits(bucket, { strategy: 'drop', cost: () => 5 })),
      },
      {
        consumer: 'a shareWithCredits branch',
        cost: 1,
        take: (bucket: RateCredits, source: Observable<number>) =>
          shareWithCredits(source).branch(bucket, { strategy: 'drop' }),
      },
    ])(
      'keeps granting perSecond behind $consumer with no meter: the bucket never stalls',
      ({ cost, take }) => {
        const { scheduler, advance } = virtualClock();
        const bucket = rateCredits({ perSecond: 50, burst: 10, scheduler });
        let spent = 0;
        const subscription = take(bucket, flood(scheduler)).subscribe(() => {
          spent += cost;
          expect(bucket.outstanding).toBeLessThanOrEqual(10);
        });
        advance(60_000);
        subscription.unsubscribe();
        // The full bucket at the start, then 50 a second; the last credits may wait for their item.
        expect(spent).toBeGreaterThanOrEqual(10 + 50 * 60 - 2 * cost);
        expect(spent).toBeLessThanOrEqual(10 + 50 * 60);
      },
    );

    it('errors requestCredits, naming the cost and the burst, for an item costing more than burst, rather than waiting forever', () => {
      const { scheduler, advance } = virtualClock();
      const bucket = rateCredits({ perSecond: 100, burst: 5, scheduler });
      const delivered: number[][] = [];
      const errors: unknown[] = [];
      const drops: [number[], string][] = [];
      of([1, 2], [1, 2, 3, 4, 5, 6, 7, 8], [9])
        .pipe(
          requestCredits(bucket, {
            cost: (batch) => batch.length,
            onDrop: (batch, reason) => drops.push([batch, reason]),
          }),
        )
        .subscribe({ next: (batch) => delivered.push(batch), error: (error: unknown) => errors.push(error) });
      advance(1_000);
      expect(delivered).toEqual([[1, 2]]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(RangeError);
      expect(String(errors[0])).toMatch(/cost\(item\) is 8, more than the 5 credits/);
      expect(drops.map(([batch, reason]) => [batch.length, reason])).toEqual([[8, 'error']]);
      // The bucket got back what the failed pipeline held.
      expect(bucket.outstanding).toBe(0);
    });

    it('passes items through a meter() behind requestCredits without counting them twice', () => {
      const { scheduler, advance } = virtualClock();
      const bucket = rateCredits({ perSecond: 10, burst: 1, scheduler });
      const errors: unknown[] = [];
      let delivered = 0;
      const subscription = flood(scheduler)
        .pipe(requestCredits(bucket, { strategy: 'drop' }), bucket.meter())
        .subscribe({ next: () => delivered++, error: (error: unknown) => errors.push(error) });
      advance(10_000);
      subscription.unsubscribe();
      expect(errors).toEqual([]);
      expect(delivered).toBeGreaterThanOrEqual(100);
      expect(delivered).toBeLessThanOrEqual(101);
    });

    it('reads pullFrom at perSecond with no meter, and lets the next consumer in once it left', () => {
      const { scheduler, advance } = virtualClock();
      const bucket = rateCredits({ perSecond: 100, burst: 4, scheduler });
      const errors: unknown[] = [];
      const read: number[] = [];
      const first = pullFrom(naturals(), bucket).subscribe({
        next: (n) => read.push(n),
        error: (error: unknown) => errors.push(error),
      });
      advance(1_000);
      expect(errors).toEqual([]);
      // The full bucket at once, then 100 a second: pullFrom told the bucket every read.
      expect(read.length).toBeGreaterThanOrEqual(4 + 100 - 1);
      expect(read.length).toBeLessThanOrEqual(4 + 100);
      expect(bucket.outstanding).toBeLessThanOrEqual(4);
      first.unsubscribe();
      const second: number[] = [];
      const next = pullFrom(naturals(), bucket).subscribe((n) => second.push(n));
      advance(1_000);
      next.unsubscribe();
      expect(second.length).toBeGreaterThanOrEqual(100 - 1);
      expect(second.length).toBeLessThanOrEqual(4 + 100);
    });

    it('passes items through a meter() behind pullFrom without counting them twice', () => {
      const { scheduler, advance } = virtualClock();
      const bucket = rateCredits({ perSecond: 10, burst: 1, scheduler });
      const errors: unknown[] = [];
      let read = 0;
      const subscription = pullFrom(naturals(), bucket)
        .pipe(bucket.meter())
        .subscribe({ next: () => read++, error: (error: unknown) => errors.push(error) });
      advance(10_000);
      subscription.unsubscribe();
      expect(errors).toEqual([]);
      expect(read).toBeGreaterThanOrEqual(100);
      expect(read).toBeLessThanOrEqual(101);
    });
  });

  it('errors a subscriber of credits$ at once, naming the fix, when no meter is subscribed, instead of stalling', () => {
    const bucket = rateCredits({ perSecond: 1, scheduler: virtualClock().scheduler });
    const grants: number[] = [];
    const errors: unknown[] = [];
    bucket.credits$.subscribe({ next: (n) => grants.push(n), error: (error: unknown) => errors.push(error) });
    expect(grants).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_CREDITS_UNMETERED' })]);
    expect(String(errors[0])).toMatch(/put bucket\.meter\(\) right after the stage that spends its credit/);
  });

  it('takes one subscriber at a time', () => {
    const bucket = rateCredits({ perSecond: 1, scheduler: virtualClock().scheduler });
    takeGrants(bucket, () => 0);
    const errors: unknown[] = [];
    bucket.credits$.subscribe({ error: (error: unknown) => errors.push(error) });
    expect(errors).toHaveLength(1);
    expect(isBackpressureError(errors[0]) && errors[0].code).toBe('ERR_CREDITS_IN_USE');
  });

  it('refuses bad options, naming them', () => {
    const bucket = rateCredits({ perSecond: 1, burst: 2, initial: 0, scheduler: virtualClock().scheduler });
    expect(() => rateCredits({ perSecond: 0 })).toThrow(/perSecond must be a positive finite number, got 0/);
    expect(() => rateCredits({ perSecond: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => rateCredits({ perSecond: '5' as unknown as number })).toThrow(TypeError);
    expect(() => rateCredits({ perSecond: 5, burst: 1.5 })).toThrow(/burst must be a positive safe integer/);
    expect(() => rateCredits({ perSecond: 5, burst: 2, initial: 3 })).toThrow(
      /initial must be an integer from 0 to burst \(2\)/,
    );
    expect(() => rateCredits({ perSecond: 5, brust: 2 } as never)).toThrow(/brust is not an option/);
    expect(() => rateCredits(undefined as never)).toThrow(TypeError);
    expect(() => bucket.meter(5 as never)).toThrow(/meter\(cost\) must be a function/);
  });

  it('errors the output of meter when the stage before it spent more than it was granted, or a bad cost', () => {
    const bucket = rateCredits({ perSecond: 1, burst: 1, scheduler: virtualClock().scheduler });
    const source = new Subject<number>();
    const errors: unknown[] = [];
    source.pipe(bucket.meter()).subscribe({ error: (error: unknown) => errors.push(error) });
    source.next(1);
    expect(errors[0]).toBeInstanceOf(RangeError);
    expect(String(errors[0])).toMatch(/meter\(cost\): 1 spent, more than the 0 credits outstanding/);
    of(1)
      .pipe(bucket.meter(() => 0))
      .subscribe({ error: (error: unknown) => errors.push(error) });
    expect(String(errors[1])).toMatch(/meter\(cost\): cost\(item\) must be a positive safe integer, got 0/);
  });

  it('keeps its invariants under any sequence of waits, spends, pauses and resubscriptions (model)', () => {
    type Step = BucketStep | { kind: 'spend'; share: number };
    const step = fc.oneof(
      ...bucketSteps,
      fc.record({ kind: fc.constant('spend' as const), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(step, { maxLength: 40 }),
        (perSecond, burst, steps: Step[]) => {
          const { scheduler, advance } = virtualClock();
          const bucket = rateCredits({ perSecond, burst, initial: 0, scheduler });
          // The model: what a token bucket may grant at most, from the unpaused time and what was spent.
          const clock: ModelClock = { activeMs: 0, paused: false };
          let granted = 0;
          const onGrant = (n: number) => {
            granted += n;
            expect(n).toBeLessThanOrEqual(burst);
            expect(bucket.outstanding).toBeLessThanOrEqual(burst);
          };
          let taker = takeGrants(bucket, () => scheduler.now(), { onGrant });
          for (const current of steps) {
            if (current.kind === 'spend') {
              const n = Math.floor(current.share * bucket.outstanding);
              if (n > 0) taker.spend(n);
            } else if (current.kind !== 'resubscribe') {
              runClock(current, bucket, advance, clock);
            } else {
              const before = bucket.outstanding;
              taker.subscription.unsubscribe();
              granted -= before; // handed back: the next subscriber receives it again
              taker = takeGrants(bucket, () => scheduler.now(), { onGrant });
            }
            expect(bucket.outstanding).toBeLessThanOrEqual(burst);
            expect(granted).toBeLessThanOrEqual(Math.floor((clock.activeMs * perSecond) / 1000));
          }
          // Liveness: with room in the bucket and time running, a credit comes within one period.
          if (!clock.paused && bucket.outstanding < burst) {
            const before = granted;
            advance(Math.ceil(1000 / perSecond) + 1);
            expect(granted).toBeGreaterThan(before);
          }
        },
      ),
    );
  });

  it('never stalls and never exceeds the bucket behind requestCredits, under any items, waits, pauses and resubscriptions (model)', () => {
    type Step = BucketStep | { kind: 'items'; count: number };
    const step = fc.oneof(
      ...bucketSteps,
      fc.record({ kind: fc.constant('items' as const), count: fc.integer({ min: 1, max: 12 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom<RequestCreditsOptions<number>>(
          { strategy: 'drop' },
          { strategy: 'latest' },
          { strategy: 'buffer', bufferSize: 4, overflow: 'drop-oldest' },
        ),
        fc.array(step, { maxLength: 30 }),
        (perSecond, burst, options, steps: Step[]) => {
          const { scheduler, advance } = virtualClock();
          const bucket = rateCredits({ perSecond, burst, initial: 0, scheduler });
          const source = new Subject<number>();
          // The model: a token bucket never lets more through than accrued in unpaused time.
          const clock: ModelClock = { activeMs: 0, paused: false };
          let delivered = 0;
          const subscribe = () =>
            source.pipe(requestCredits(bucket, options)).subscribe(() => {
              delivered++;
              expect(bucket.outstanding).toBeLessThanOrEqual(burst);
            });
          let subscription = subscribe();
          for (const current of steps) {
            if (current.kind === 'items') {
              for (let n = 0; n < current.count; n++) source.next(n);
            } else if (current.kind !== 'resubscribe') {
              runClock(current, bucket, advance, clock);
            } else {
              subscription.unsubscribe();
              subscription = subscribe();
            }
            expect(bucket.outstanding).toBeLessThanOrEqual(burst);
            expect(delivered).toBeLessThanOrEqual(Math.floor((clock.activeMs * perSecond) / 1000));
          }
          // Liveness, the flaw this guards against: with nobody metering, an item a ms still gets through.
          bucket.resume();
          const before = delivered;
          const period = Math.ceil(1000 / perSecond);
          for (let ms = 0; ms <= (burst + 2) * period; ms++) {
            source.next(ms);
            advance(1);
          }
          expect(delivered).toBeGreaterThan(before + burst);
          subscription.unsubscribe();
        },
      ),
    );
  });
});
