import {
  config,
  NEVER,
  type SchedulerLike,
  Subscription,
  throwError,
  timer,
  VirtualTimeScheduler,
} from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AdaptiveService,
  aimdLimit,
  type LimitAlgorithm,
  type LimitSample,
  ServiceAtCapacityError,
  vegasLimit,
} from '../../src/index.js';
import { simulateKnee } from './simulateKnee.js';

/** An algorithm that records its samples and sets whatever limit `next` says. */
function scripted(initial: number, next: (limit: number, sample: LimitSample) => unknown = (limit) => limit) {
  const samples: LimitSample[] = [];
  let limit = initial;
  const algorithm: LimitAlgorithm = {
    min: 1,
    max: 100,
    get limit() {
      return limit;
    },
    update(sample) {
      samples.push(sample);
      const result = next(limit, sample);
      if (typeof result === 'number' && Number.isSafeInteger(result) && result >= 1) limit = result;
      return result as number;
    },
  };
  return { algorithm, samples };
}

/** A clock the test moves by hand; its `schedule` is never used by AdaptiveService. */
function manualClock(): { scheduler: SchedulerLike; advance: (ms: number) => void } {
  let now = 1000;
  return {
    scheduler: { now: () => now, schedule: () => Subscription.EMPTY } as unknown as SchedulerLike,
    advance: (ms) => {
      now += ms;
    },
  };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AdaptiveService', () => {
  it('refuses an unknown option, naming it and the option it most likely meant', () => {
    expect(
      () => new AdaptiveService({ handler: async () => 1, algorithm: aimdLimit(), capacity: 4 } as never),
    ).toThrow(
      new TypeError(
        'options.capacity is not an option here; the options are handler, algorithm, scheduler, monitor, isDropped.',
      ),
    );
  });

  afterEach(() => {
    config.onUnhandledError = null;
    vi.useRealTimers();
  });

  describe('options', () => {
    it('refuses a handler that is not a function', () => {
      expect(() => new AdaptiveService({ handler: 5 as unknown as () => 1, algorithm: aimdLimit() })).toThrow(
        /options\.handler must be a function, got 5/,
      );
    });

    it('refuses an algorithm without update, naming what it got', () => {
      expect(
        () => new AdaptiveService({ handler: () => 1, algorithm: { limit: 3 } as unknown as LimitAlgorithm }),
      ).toThrow(/options\.algorithm must be a LimitAlgorithm.*got an object/);
      expect(
        () => new AdaptiveService({ handler: () => 1, algorithm: undefined as unknown as LimitAlgorithm }),
      ).toThrow(TypeError);
    });

    it('refuses an algorithm whose limit is not a positive integer', () => {
      const { algorithm } = scripted(0);
      expect(() => new AdaptiveService({ handler: () => 1, algorithm })).toThrow(RangeError);
      expect(() => new AdaptiveService({ handler: () => 1, algorithm })).toThrow(
        'options.algorithm.limit must be a positive safe integer, got 0',
      );
    });

    it('refuses a scheduler that is not a SchedulerLike', () => {
      expect(
        () =>
          new AdaptiveService({
            handler: () => 1,
            algorithm: aimdLimit(),
            scheduler: { now: 1 } as unknown as SchedulerLike,
          }),
      ).toThrow(/options\.scheduler must be a SchedulerLike/);
    });

    it('refuses an isDropped that is not a function, naming it', () => {
      expect(
        () =>
          new AdaptiveService({
            handler: () => 1,
            algorithm: aimdLimit(),
            isDropped: true as unknown as () => boolean,
          }),
      ).toThrow(new TypeError('options.isDropped must be a function, got true (boolean).'));
    });

    it('refuses an algorithm that already drives another service, since it holds one limit', () => {
      const algorithm = aimdLimit();
      new AdaptiveService({ handler: () => 1, algorithm });
      expect(() => new AdaptiveService({ handler: () => 1, algorithm })).toThrow(/already drives another/);
    });
  });

  it('starts at the limit of the algorithm and admits up to it', async () => {
    const service = new AdaptiveService({ handler: () => NEVER, algorithm: vegasLimit({ initial: 2 }) });
    expect(service.capacity).toBe(2);
    void service.do(1);
    void service.do(2);
    expect(service.active).toBe(2);
    expect(service.isReady()).toBe(false);
    await expect(service.do(3)).rejects.toBeInstanceOf(ServiceAtCapacityError);
  });

  it("times each call with the scheduler's clock and counts the calls in flight, itself included", () => {
    const scheduler = new VirtualTimeScheduler();
    const { algorithm, samples } = scripted(5);
    const service = new AdaptiveService({
      handler: (ms: number) => timer(ms, scheduler),
      algorithm,
      scheduler,
    });
    void service.do(30);
    void service.do(10);
    scheduler.flush();
    expect(samples).toEqual([
      { latency: 10, inFlight: 2, dropped: false },
      { latency: 30, inFlight: 1, dropped: false },
    ]);
  });

  it('reports failures as dropped samples, whatever form the failure takes', async () => {
    const clock = manualClock();
    const { algorithm, samples } = scripted(5);
    const failures = [
      () => Promise.reject(new Error('rejected')),
      () => throwError(() => new Error('errored')),
      () => {
        throw new Error('thrown');
      },
    ];
    const service = new AdaptiveService({
      handler: (i: number) => failures[i]!(),
      algorithm,
      scheduler: clock.scheduler,
    });
    for (const i of [0, 1, 2]) await service.do(i).catch(() => undefined);
    expect(samples.map((sample) => sample.dropped)).toEqual([true, true, true]);
  });

  it('learns nothing from a failure isDropped says is not overload, and counts the others as drops', async () => {
    const clock = manualClock();
    const { algorithm, samples } = scripted(5);
    class JobFailed extends Error {}
    const service = new AdaptiveService({
      handler: (kind: string) =>
        kind === 'ok'
          ? Promise.resolve(kind)
          : Promise.reject(kind === 'job' ? new JobFailed(kind) : new Error(kind)),
      algorithm,
      scheduler: clock.scheduler,
      isDropped: (error) => !(error instanceof JobFailed),
    });
    for (const kind of ['job', 'ok', 'job', 'timeout']) await service.do(kind).catch(() => undefined);
    expect(samples.map((sample) => sample.dropped)).toEqual([false, true]);
    expect(service.active).toBe(0);
  });

  it('counts a failure as a drop and reports the error when isDropped throws', async () => {
    vi.useFakeTimers();
    const reported: unknown[] = [];
    config.onUnhandledError = (error) => reported.push(error);
    const { algorithm, samples } = scripted(5);
    const broken = new Error('isDropped broke');
    const service = new AdaptiveService({
      handler: () => Promise.reject(new Error('failed')),
      algorithm,
      isDropped: () => {
        throw broken;
      },
    });
    await expect(service.do(1)).rejects.toThrow('failed');
    expect(samples.map((sample) => sample.dropped)).toEqual([true]);
    vi.runAllTimers();
    expect(reported).toEqual([broken]);
  });

  it('times a Promise handler from its start to its settling', async () => {
    const clock = manualClock();
    const { algorithm, samples } = scripted(5);
    let finish: (value: string) => void = () => undefined;
    const service = new AdaptiveService({
      handler: () => new Promise<string>((resolve) => (finish = resolve)),
      algorithm,
      scheduler: clock.scheduler,
    });
    const result = service.do(1);
    clock.advance(250);
    finish('done');
    await expect(result).resolves.toBe('done');
    expect(samples).toEqual([{ latency: 250, inFlight: 1, dropped: false }]);
  });

  it('learns nothing from a call its caller aborted', async () => {
    const { algorithm, samples } = scripted(5);
    const service = new AdaptiveService({ handler: () => NEVER, algorithm });
    const controller = new AbortController();
    const result = service.do(1, controller.signal);
    controller.abort(new Error('gave up'));
    await expect(result).rejects.toThrow('gave up');
    expect(samples).toEqual([]);
    expect(service.active).toBe(0);
  });

  it('grants the new room on credits$ at once when the limit grows, and grants nothing while over a shrunk limit', async () => {
    const scheduler = new VirtualTimeScheduler();
    let grow = true;
    const { algorithm } = scripted(2, (limit) => (grow ? limit + 3 : 1));
    const service = new AdaptiveService({ handler: () => timer(10, scheduler), algorithm, scheduler });
    const grants: number[] = [];
    service.credits$.subscribe((grant) => grants.push(grant));
    void service.do(1);
    void service.do(2);
    scheduler.flush();
    await Promise.resolve();
    await Promise.resolve();
    // Room 2 on subscription; each settled call adds 3 to the limit at once, and frees its own slot,
    // announced once its caller heard the outcome.
    expect(grants).toEqual([2, 3, 3, 1, 1]);
    expect(service.capacity).toBe(8);
    grow = false;
    for (let i = 0; i < 8; i++) void service.do(i);
    scheduler.flush();
    await Promise.resolve();
    await Promise.resolve();
    expect(service.capacity).toBe(1);
    expect(service.active).toBe(0);
    // Seven calls settled above the new limit of 1 and granted nothing; the last one freed real room.
    expect(grants.slice(5)).toEqual([1]);
  });

  it('keeps the capacity and reports the error when the algorithm throws or returns a bad limit', async () => {
    vi.useFakeTimers();
    const reported: unknown[] = [];
    config.onUnhandledError = (error) => reported.push(error);
    let answer: () => unknown = () => {
      throw new Error('algorithm broke');
    };
    const { algorithm } = scripted(3, () => answer());
    const service = new AdaptiveService({ handler: (n: number) => n, algorithm });
    await expect(service.do(7)).resolves.toBe(7);
    answer = () => 2.5;
    await expect(service.do(8)).resolves.toBe(8);
    vi.runAllTimers();
    expect(service.capacity).toBe(3);
    expect(service.active).toBe(0);
    expect(reported.map(String)).toEqual([
      'Error: algorithm broke',
      'RangeError: options.algorithm.update(sample) must return a positive safe integer, got 2.5.',
    ]);
  });

  it('passes the result of a plain value through and frees its slot', async () => {
    const service = new AdaptiveService({
      handler: (n: number) => n * 2,
      algorithm: aimdLimit({ initial: 1 }),
    });
    await expect(service.do(21)).resolves.toBe(42);
    await flush();
    expect(service.active).toBe(0);
  });

  it('never runs more calls than its capacity while the limit moves under a saturating load', async () => {
    const run = await simulateKnee(vegasLimit({ initial: 2, random: () => 0.5 }), { knee: 30, calls: 2000 });
    expect(run.completed).toBe(2000);
    expect(run.overCapacity).toBeLessThanOrEqual(0);
    expect(new Set(run.limits).size).toBeGreaterThan(5);
  });
});
