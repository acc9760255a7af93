import * as fc from 'fast-check';
import { interval, Subject, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isBackpressureError, type RateCredits, rateCredits, requestCredits } from '../../src/index.js';
import { virtualClock } from '../virtualClock.js';

/** Subscribes to the bucket's credits$, recording each grant with its time. */
function takeGrants(bucket: RateCredits, now: () => number, onGrant?: (n: number) => void) {
  const grants: { at: number; n: number }[] = [];
  const subscription = bucket.credits$.subscribe((n) => {
    grants.push({ at: now(), n });
    onGrant?.(n);
  });
  const total = () => grants.reduce((sum, grant) => sum + grant.n, 0);
  return { grants, subscription, total };
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
      const { total } = takeGrants(
        bucket,
        () => scheduler.now(),
        (n) => bucket.spend(n),
      );
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
    const { total } = takeGrants(bucket, () => scheduler.now());
    advance(60_000);
    expect(total()).toBe(5);
    expect(bucket.outstanding).toBe(5);
    bucket.spend(5);
    advance(10);
    expect(total()).toBe(6); // one credit 10 ms after the spend, not a minute's worth
  });

  it('delivers at most burst items at once after a quiet spell, then the steady rate', () => {
    const { scheduler, advance } = virtualClock();
    const bucket = rateCredits({ perSecond: 1000, burst: 3, scheduler });
    const source = new Subject<number>();
    const deliveredAt: number[] = [];
    source
      .pipe(requestCredits(bucket, { strategy: 'drop' }), bucket.meter())
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
    const { grants, total } = takeGrants(
      bucket,
      () => scheduler.now(),
      (n) => bucket.spend(n),
    );
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
    bucket.spend(1);
    first.subscription.unsubscribe();
    advance(10_000);
    const second = takeGrants(bucket, () => scheduler.now());
    expect(second.total()).toBe(3);
  });

  it('takes one subscriber at a time', () => {
    const bucket = rateCredits({ perSecond: 1, scheduler: virtualClock().scheduler });
    bucket.credits$.subscribe();
    const errors: unknown[] = [];
    bucket.credits$.subscribe({ error: (error: unknown) => errors.push(error) });
    expect(errors).toHaveLength(1);
    expect(isBackpressureError(errors[0]) && errors[0].code).toBe('ERR_CREDITS_IN_USE');
  });

  it('refuses spending more than was granted, and bad options, naming them', () => {
    const bucket = rateCredits({ perSecond: 1, burst: 2, initial: 0, scheduler: virtualClock().scheduler });
    expect(() => bucket.spend(1)).toThrow(/more than the 0 credits outstanding/);
    expect(() => bucket.spend(0)).toThrow(RangeError);
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

  it('errors the output of meter when the stage before it spent more than it was granted', () => {
    const bucket = rateCredits({ perSecond: 1, burst: 1, scheduler: virtualClock().scheduler });
    const source = new Subject<number>();
    const errors: unknown[] = [];
    source.pipe(bucket.meter()).subscribe({ error: (error: unknown) => errors.push(error) });
    source.next(1);
    expect(errors[0]).toBeInstanceOf(RangeError);
  });

  it('keeps its invariants under any sequence of waits, spends, pauses and resubscriptions (model)', () => {
    type Step =
      | { kind: 'wait'; ms: number }
      | { kind: 'spend'; share: number }
      | { kind: 'pause' }
      | { kind: 'resume' }
      | { kind: 'resubscribe' };
    const step = fc.oneof(
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ kind: fc.constant('spend' as const), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.constant({ kind: 'pause' as const }),
      fc.constant({ kind: 'resume' as const }),
      fc.constant({ kind: 'resubscribe' as const }),
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
          let activeMs = 0;
          let paused = false;
          let granted = 0;
          const onGrant = (n: number) => {
            granted += n;
            expect(n).toBeLessThanOrEqual(burst);
            expect(bucket.outstanding).toBeLessThanOrEqual(burst);
          };
          let taker = takeGrants(bucket, () => scheduler.now(), onGrant);
          for (const current of steps) {
            if (current.kind === 'wait') {
              advance(current.ms);
              if (!paused) activeMs += current.ms;
            } else if (current.kind === 'spend') {
              const n = Math.floor(current.share * bucket.outstanding);
              if (n > 0) bucket.spend(n);
            } else if (current.kind === 'pause') {
              bucket.pause();
              paused = true;
            } else if (current.kind === 'resume') {
              bucket.resume();
              paused = false;
            } else {
              const before = bucket.outstanding;
              taker.subscription.unsubscribe();
              granted -= before; // handed back: the next subscriber receives it again
              taker = takeGrants(bucket, () => scheduler.now(), onGrant);
            }
            expect(bucket.outstanding).toBeLessThanOrEqual(burst);
            expect(granted).toBeLessThanOrEqual(Math.floor((activeMs * perSecond) / 1000));
          }
          // Liveness: with room in the bucket and time running, a credit comes within one period.
          if (!paused && bucket.outstanding < burst) {
            const before = granted;
            advance(Math.ceil(1000 / perSecond) + 1);
            expect(granted).toBeGreaterThan(before);
          }
        },
      ),
    );
  });
});
