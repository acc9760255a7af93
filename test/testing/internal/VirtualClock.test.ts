import { fc, test } from '@fast-check/vitest';
import { delay, interval, of, type SchedulerLike, type Subscription, take, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/testing/internal/VirtualClock.js';

function runAll(clock: VirtualClock): void {
  for (let guard = 0; clock.nextAt !== undefined; guard++) {
    if (guard > 10_000) throw new Error('the clock never ran out of timers');
    clock.runNext();
  }
}

/** A timer of a generated program: when it is scheduled, how often it reschedules itself, what it cancels. */
interface TimerPlan {
  readonly delay: number;
  readonly repeats: readonly number[];
  readonly child: number | undefined;
  readonly cancels: number | undefined;
}

const timerPlan: fc.Arbitrary<TimerPlan> = fc.record({
  delay: fc.integer({ min: -2, max: 5 }),
  repeats: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  child: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  cancels: fc.option(fc.nat(7), { nil: undefined }),
});

/** Runs the plans on `scheduler`, returning which timer ran at what time, in order. */
function play(scheduler: SchedulerLike, plans: readonly TimerPlan[], runToEnd: () => void): string[] {
  const log: string[] = [];
  const timers: Subscription[] = [];
  plans.forEach((plan, index) => {
    timers.push(
      scheduler.schedule<number>(function (round = 0) {
        log.push(`${index}.${round}@${scheduler.now()}`);
        if (plan.cancels !== undefined) timers[plan.cancels]?.unsubscribe();
        if (round === 0 && plan.child !== undefined) {
          scheduler.schedule(() => log.push(`${index}.child@${scheduler.now()}`), plan.child);
        }
        const again = plan.repeats[round];
        if (again !== undefined) this.schedule(round + 1, again);
      }, plan.delay),
    );
  });
  runToEnd();
  return log;
}

describe('VirtualClock', () => {
  test.prop([fc.array(timerPlan, { maxLength: 8 })])(
    "runs timers in the same order, at the same times, as RxJS's VirtualTimeScheduler",
    (plans) => {
      const reference = new VirtualTimeScheduler();
      const clock = new VirtualClock();
      expect(play(clock, plans, () => runAll(clock))).toEqual(
        play(reference, plans, () => reference.flush()),
      );
    },
  );

  it('moves time to each timer as it runs it, and counts the timers waiting', () => {
    const clock = new VirtualClock();
    const ticks: number[] = [];
    interval(10, clock)
      .pipe(take(3))
      .subscribe(() => ticks.push(clock.now()));
    of('late')
      .pipe(delay(25, clock))
      .subscribe(() => ticks.push(-clock.now()));
    expect([clock.pending, clock.nextAt]).toEqual([2, 10]);
    runAll(clock);
    expect(ticks).toEqual([10, 20, -25, 30]);
    expect(clock.pending).toBe(0);
  });

  it('runs nothing on setTime, and schedules later timers from the time set', () => {
    const clock = new VirtualClock();
    const ran: number[] = [];
    clock.schedule(() => ran.push(clock.now()), 5);
    clock.setTime(3);
    expect(ran).toEqual([]);
    clock.schedule(() => ran.push(clock.now()), 1);
    runAll(clock);
    expect(ran).toEqual([4, 5]);
  });

  it('drops a timer that is unsubscribed, and never fires one of infinite delay', () => {
    const clock = new VirtualClock();
    const ran: string[] = [];
    clock.schedule(() => ran.push('cancelled'), 1).unsubscribe();
    clock.schedule(() => ran.push('never'), Number.POSITIVE_INFINITY);
    clock.schedule(() => ran.push('kept'), 2);
    expect(clock.pending).toBe(1);
    runAll(clock);
    expect(ran).toEqual(['kept']);
  });

  it('cancels every other timer and rethrows when a timer throws', () => {
    const clock = new VirtualClock();
    const failure = new Error('timer broke');
    const later = clock.schedule(() => undefined, 5);
    clock.schedule(() => {
      throw failure;
    }, 1);
    expect(() => clock.runNext()).toThrow(failure);
    expect(clock.pending).toBe(0);
    expect(later.closed).toBe(true);
  });

  it('cancels every timer on cancelAll', () => {
    const clock = new VirtualClock();
    const timers = [clock.schedule(() => undefined, 1), clock.schedule(() => undefined, 0)];
    clock.cancelAll();
    expect(clock.pending).toBe(0);
    expect(timers.map((timer) => timer.closed)).toEqual([true, true]);
  });
});
