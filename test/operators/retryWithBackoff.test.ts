import fc from 'fast-check';
import { defer, type Observable, of, take, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BackpressureError,
  CallTimeoutError,
  CircuitOpenError,
  type RetryWithBackoffOptions,
  retryWithBackoff,
  ServiceAtCapacityError,
} from '../../src/index.js';
import { type BackoffPolicy, backoffDelay } from '../../src/internal/backoffDelay.js';

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const atCapacity = new ServiceAtCapacityError({ capacity: 1, active: 1 });

/** Runs `source` through the operator in virtual time and returns when each subscription began. */
function subscriptionTimes(
  options: Omit<RetryWithBackoffOptions, 'scheduler'>,
  error: (attempt: number) => unknown,
): number[] {
  const times: number[] = [];
  const scheduler = testScheduler();
  scheduler.run(() => {
    defer(() => {
      times.push(scheduler.now());
      return throwError(() => error(times.length));
    })
      .pipe(retryWithBackoff({ ...options, scheduler }))
      .subscribe({ error: () => undefined });
  });
  return times;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('retryWithBackoff', () => {
  it('refuses an unknown option, naming it and the option it most likely meant', () => {
    expect(() => retryWithBackoff({ maxattempts: 3 } as never)).toThrow(
      new TypeError(
        'options.maxattempts is not an option here (did you mean maxAttempts?); the options are maxAttempts, initialDelay, maxDelay, factor, jitter, retryIf, scheduler, resetOnSuccess.',
      ),
    );
  });

  describe('delays', () => {
    it('waits initialDelay * factor^(attempt-1) between attempts, then lets the last error through', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('--#', undefined, atCapacity);
        const output = source.pipe(
          retryWithBackoff({ maxAttempts: 3, initialDelay: 10, factor: 2, jitter: 'none' }),
        );
        expectObservable(output).toBe('-- 10ms -- 20ms --#', undefined, atCapacity);
        expectSubscriptions(source.subscriptions).toBe(['^-!', '12ms ^-!', '34ms ^-!']);
      });
    });

    it('caps the exponential delay at maxDelay', () => {
      const times = subscriptionTimes(
        { maxAttempts: 5, initialDelay: 10, factor: 3, maxDelay: 50, jitter: 'none' },
        () => atCapacity,
      );
      expect(times).toEqual([0, 10, 40, 90, 140]);
    });

    it('makes five attempts in all by default, the first one included', () => {
      const times = subscriptionTimes({ jitter: 'none' }, () => atCapacity);
      expect(times).toEqual([0, 100, 300, 700, 1500]);
    });

    it('waits for the Retry-After of the error when it is longer than the backoff', () => {
      const times = subscriptionTimes(
        { maxAttempts: 3, initialDelay: 10, maxDelay: 300, jitter: 'none' },
        (attempt) => new ServiceAtCapacityError({ retryAfter: attempt === 1 ? 250 : 5 }),
      );
      expect(times).toEqual([0, 250, 270]);
    });

    it('waits no longer than maxDelay however long the Retry-After, so 25 days become 10 s by default', () => {
      const twentyFiveDays = 2_200_000 * 1000;
      const times = subscriptionTimes(
        { maxAttempts: 4, initialDelay: 10, jitter: 'none' },
        () => new ServiceAtCapacityError({ retryAfter: twentyFiveDays }),
      );
      expect(times).toEqual([0, 10_000, 20_000, 30_000]);
    });

    it('retries an open circuit by default, waiting out the retryAfter of its CircuitOpenError', () => {
      const times = subscriptionTimes(
        { maxAttempts: 2, initialDelay: 10, jitter: 'none' },
        () => new CircuitOpenError({ state: 'open', retryAfter: 1_000 }),
      );
      expect(times).toEqual([0, 1_000]);
    });

    it('ignores a retryAfter that is not a finite wait, and one on an error that is not the library’s', () => {
      const times = subscriptionTimes(
        { maxAttempts: 3, initialDelay: 10, jitter: 'none', retryIf: () => true },
        (attempt) =>
          attempt === 1
            ? new ServiceAtCapacityError({ retryAfter: Number.POSITIVE_INFINITY })
            : Object.assign(new Error('plain'), { retryAfter: 5_000 }),
      );
      expect(times).toEqual([0, 10, 30]);
    });

    it('retries at once when initialDelay is 0, however many attempts', () => {
      const times = subscriptionTimes(
        { maxAttempts: 2_000, initialDelay: 0, factor: 10, jitter: 'none' },
        () => atCapacity,
      );
      expect(times).toHaveLength(2_000);
      expect(times.every((time) => time === 0)).toBe(true);
    });
  });

  describe('which errors, and how many times', () => {
    it('retries only refusals by default: any other error goes through at once', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const failure = new Error('broken');
        const source = cold('-#', undefined, failure);
        expectObservable(source.pipe(retryWithBackoff({ jitter: 'none' }))).toBe('-#', undefined, failure);
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });

    it('recognises an at-capacity refusal from another copy of the package by its brand and code', () => {
      const brand = Symbol.for('rxjs-backpressure.BackpressureError');
      const foreign = Object.assign(new Error('busy'), { code: 'ERR_SERVICE_AT_CAPACITY', [brand]: true });
      const times = subscriptionTimes({ maxAttempts: 2, initialDelay: 7, jitter: 'none' }, () => foreign);
      expect(times).toEqual([0, 7]);
    });

    it('does not retry other library errors by default, a call timeout included', () => {
      const times = subscriptionTimes({ jitter: 'none' }, () => new BackpressureError('ERR_OTHER', 'other'));
      expect(times).toEqual([0]);
      expect(subscriptionTimes({ jitter: 'none' }, () => new CallTimeoutError(5))).toEqual([0]);
    });

    it('asks retryIf with the error and the number of the attempt that failed', () => {
      const asked: [unknown, number][] = [];
      const failure = new Error('flaky');
      const times = subscriptionTimes(
        {
          maxAttempts: 10,
          initialDelay: 1,
          jitter: 'none',
          retryIf: (error, attempt) => {
            asked.push([error, attempt]);
            return attempt < 3;
          },
        },
        () => failure,
      );
      expect(asked).toEqual([
        [failure, 1],
        [failure, 2],
        [failure, 3],
      ]);
      expect(times).toEqual([0, 1, 3]);
    });

    it('sends the error retryIf throws downstream', () => {
      const thrown = new Error('retryIf broke');
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-#', undefined, atCapacity);
        const output = source.pipe(
          retryWithBackoff({
            retryIf: () => {
              throw thrown;
            },
          }),
        );
        expectObservable(output).toBe('-#', undefined, thrown);
      });
    });

    it('does not retry at all with maxAttempts 1, and never stops with maxAttempts Infinity', () => {
      expect(subscriptionTimes({ maxAttempts: 1 }, () => atCapacity)).toEqual([0]);
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('a#', undefined, atCapacity);
        const output = source.pipe(
          retryWithBackoff({
            maxAttempts: Number.POSITIVE_INFINITY,
            initialDelay: 5,
            jitter: 'none',
            resetOnSuccess: false,
          }),
          take(4),
        );
        expectObservable(output).toBe('a 5ms a 10ms a 20ms (a|)');
      });
    });

    it('starts the count and the backoff again after a value, by default', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('a-#', undefined, atCapacity);
        const output = source.pipe(
          retryWithBackoff({ maxAttempts: 2, initialDelay: 10, jitter: 'none' }),
          take(3),
        );
        expectObservable(output).toBe('a 11ms a 11ms (a|)');
      });
    });

    it('keeps counting across values with resetOnSuccess false', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('a-#', undefined, atCapacity);
        const output = source.pipe(
          retryWithBackoff({ maxAttempts: 3, initialDelay: 10, jitter: 'none', resetOnSuccess: false }),
        );
        expectObservable(output).toBe('a 11ms a 21ms a-#', undefined, atCapacity);
      });
    });

    it('passes values and completion through untouched', () => {
      const values: number[] = [];
      let completed = false;
      of(1, 2, 3)
        .pipe(retryWithBackoff())
        .subscribe({ next: (value) => values.push(value), complete: () => (completed = true) });
      expect(values).toEqual([1, 2, 3]);
      expect(completed).toBe(true);
    });

    it('keeps a separate attempt count for each subscription', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('#', undefined, atCapacity);
        const output = source.pipe(retryWithBackoff({ maxAttempts: 2, initialDelay: 10, jitter: 'none' }));
        expectObservable(output).toBe('10ms #', undefined, atCapacity);
        expectObservable(output, '5ms ^').toBe('15ms #', undefined, atCapacity);
      });
    });
  });

  describe('teardown', () => {
    it('cancels the wait timer when the output is unsubscribed during a wait', () => {
      vi.useFakeTimers();
      let subscriptions = 0;
      const source: Observable<never> = defer(() => {
        subscriptions++;
        return throwError(() => atCapacity);
      });
      const subscription = source.pipe(retryWithBackoff({ initialDelay: 1_000, jitter: 'none' })).subscribe({
        error: () => undefined,
      });
      expect(vi.getTimerCount()).toBe(1);
      subscription.unsubscribe();
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(60_000);
      expect(subscriptions).toBe(1);
    });

    it('accepts an initialDelay above the default maxDelay, which then waits initialDelay each time', () => {
      expect(
        subscriptionTimes({ maxAttempts: 3, initialDelay: 20_000, jitter: 'none' }, () => atCapacity),
      ).toEqual([0, 20_000, 40_000]);
    });

    it('stops retrying in virtual time once the subscriber leaves', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, atCapacity);
        const output = source.pipe(retryWithBackoff({ initialDelay: 10, jitter: 'none' }));
        expectObservable(output, '^ 14ms !').toBe('');
        expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!']);
      });
    });
  });

  describe('options', () => {
    it.each<[string, RetryWithBackoffOptions, ErrorConstructor, RegExp]>([
      ['maxAttempts 0', { maxAttempts: 0 }, RangeError, /options\.maxAttempts.*positive integer.*got 0/],
      ['maxAttempts 1.5', { maxAttempts: 1.5 }, RangeError, /options\.maxAttempts.*got 1\.5/],
      ['maxAttempts NaN', { maxAttempts: Number.NaN }, RangeError, /options\.maxAttempts.*got NaN/],
      [
        'maxAttempts "3"',
        { maxAttempts: '3' as unknown as number },
        TypeError,
        /options\.maxAttempts.*'3' \(string\)/,
      ],
      ['initialDelay -1', { initialDelay: -1 }, RangeError, /options\.initialDelay.*got -1/],
      [
        'initialDelay Infinity',
        { initialDelay: Number.POSITIVE_INFINITY },
        RangeError,
        /options\.initialDelay.*Infinity/,
      ],
      [
        'maxDelay below initialDelay',
        { initialDelay: 50, maxDelay: 10 },
        RangeError,
        /options\.maxDelay.*\(50\).*got 10/,
      ],
      [
        'maxDelay past the longest timer',
        { maxDelay: 2 ** 31 },
        RangeError,
        /options\.maxDelay.*2147483647.*got 2147483648/,
      ],
      [
        'maxDelay Infinity',
        { maxDelay: Number.POSITIVE_INFINITY },
        RangeError,
        /options\.maxDelay.*Infinity/,
      ],
      ['factor 0.5', { factor: 0.5 }, RangeError, /options\.factor.*>= 1.*got 0\.5/],
      [
        'jitter "random"',
        { jitter: 'random' as 'full' },
        RangeError,
        /options\.jitter.*none, full, decorrelated.*'random'/,
      ],
      ['jitter 1', { jitter: 1 as unknown as 'full' }, TypeError, /options\.jitter.*got 1/],
      [
        'retryIf not a function',
        { retryIf: true as unknown as () => boolean },
        TypeError,
        /options\.retryIf.*function.*true/,
      ],
      [
        'resetOnSuccess 1',
        { resetOnSuccess: 1 as unknown as boolean },
        TypeError,
        /options\.resetOnSuccess.*boolean.*got 1/,
      ],
      [
        'scheduler {}',
        { scheduler: {} as unknown as TestScheduler },
        TypeError,
        /options\.scheduler.*SchedulerLike/,
      ],
    ])('refuses %s when it is called, naming the option and the value', (_, options, kind, message) => {
      expect(() => retryWithBackoff(options)).toThrow(kind);
      expect(() => retryWithBackoff(options)).toThrow(message);
    });

    it('refuses options that are not an object', () => {
      expect(() => retryWithBackoff(5 as unknown as RetryWithBackoffOptions)).toThrow(
        /options must be an object/,
      );
    });
  });

  describe('jitter', () => {
    const policies = fc.record({
      initialDelay: fc.integer({ min: 0, max: 1_000 }),
      extra: fc.integer({ min: 0, max: 10_000 }),
      factor: fc.double({ min: 1, max: 4, noNaN: true }),
      jitter: fc.constantFrom('none' as const, 'full' as const, 'decorrelated' as const),
    });
    const toPolicy = (p: {
      initialDelay: number;
      extra: number;
      factor: number;
      jitter: BackoffPolicy['jitter'];
    }) => ({
      initialDelay: p.initialDelay,
      maxDelay: p.initialDelay + p.extra,
      factor: p.factor,
      jitter: p.jitter,
    });

    it('follows the documented formula for a given random draw', () => {
      fc.assert(
        fc.property(
          policies,
          fc.integer({ min: 1, max: 40 }),
          fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          (given, attempt, draw) => {
            const policy = toPolicy(given);
            const exponential = Math.min(
              policy.maxDelay,
              policy.initialDelay * policy.factor ** (attempt - 1),
            );
            const previous = policy.initialDelay + draw * given.extra;
            const delay = backoffDelay(policy, attempt, previous, () => draw);
            if (policy.jitter === 'none') expect(delay).toBe(exponential);
            if (policy.jitter === 'full') expect(delay).toBe(draw * exponential);
            if (policy.jitter === 'decorrelated') {
              expect(delay).toBe(
                Math.min(policy.maxDelay, policy.initialDelay + draw * (3 * previous - policy.initialDelay)),
              );
            }
          },
        ),
        { numRuns: 300 },
      );
    });

    it('keeps every wait within its jitter bounds, at least the Retry-After, and never over maxDelay', () => {
      fc.assert(
        fc.property(
          policies,
          fc.integer({ min: 2, max: 8 }),
          fc.array(fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }), {
            minLength: 8,
            maxLength: 8,
          }),
          (given, maxAttempts, retryAfters) => {
            const policy = toPolicy(given);
            const times = subscriptionTimes({ ...policy, maxAttempts }, (attempt) => {
              const retryAfter = retryAfters[attempt - 1];
              return new ServiceAtCapacityError(retryAfter === undefined ? {} : { retryAfter });
            });
            expect(times).toHaveLength(maxAttempts);
            for (let attempt = 1; attempt < times.length; attempt++) {
              const wait = times[attempt]! - times[attempt - 1]!;
              const retryAfter = retryAfters[attempt - 1] ?? 0;
              const exponential = Math.min(
                policy.maxDelay,
                policy.initialDelay * policy.factor ** (attempt - 1),
              );
              const epsilon = 1e-6 * Math.max(1, wait);
              const ceiling = (delay: number): number =>
                Math.min(policy.maxDelay, Math.max(delay, retryAfter));
              expect(wait).toBeGreaterThanOrEqual(Math.min(policy.maxDelay, retryAfter) - epsilon);
              expect(wait).toBeLessThanOrEqual(policy.maxDelay + epsilon);
              if (policy.jitter === 'none') expect(wait).toBeCloseTo(ceiling(exponential), 6);
              if (policy.jitter === 'full') expect(wait).toBeLessThanOrEqual(ceiling(exponential) + epsilon);
              if (policy.jitter === 'decorrelated') {
                expect(wait).toBeGreaterThanOrEqual(Math.min(policy.initialDelay, policy.maxDelay) - epsilon);
              }
            }
          },
        ),
        { numRuns: 200 },
      );
    });

    it('grows decorrelated waits from the wait before, never beyond three times it or maxDelay', () => {
      fc.assert(
        fc.property(
          policies,
          fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
            minLength: 1,
            maxLength: 30,
          }),
          (given, draws) => {
            const policy = { ...toPolicy(given), jitter: 'decorrelated' as const };
            let previous = policy.initialDelay;
            draws.forEach((draw, index) => {
              const delay = backoffDelay(policy, index + 1, previous, () => draw);
              expect(delay).toBeGreaterThanOrEqual(Math.min(policy.initialDelay, policy.maxDelay));
              expect(delay).toBeLessThanOrEqual(Math.min(policy.maxDelay, 3 * previous));
              previous = delay;
            });
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
