import { map, timer, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { AdaptiveService, type LimitAlgorithm, type LimitSample } from '../../src/index.js';

/** What a run of {@link simulateKnee} saw. */
export interface KneeRun {
  /** The limit after each sample, in order. */
  readonly limits: readonly number[];
  /** The most calls ever running at once, and the capacity at that moment. */
  readonly overCapacity: number;
  /** Calls that completed. */
  readonly completed: number;
  /** The virtual time of each sample, in order (parallel to `limits`). */
  readonly times: readonly number[];
}

/**
 * Runs an {@link AdaptiveService} over `algorithm` against a simulated service in virtual time: it
 * answers in `base` ms while at most `knee` calls run, and beyond that its latency grows with the load
 * (`base × inFlight / knee`, as a pool of `knee` workers with a queue in front would). `base` may
 * change with the virtual time (a function of it), as a service slowed by something other than load. A closed loop of
 * callers keeps it saturated: each credit on `credits$` starts one more call, until `calls` were made.
 * Deterministic: no real time, no randomness. Virtual time moves one instant at a time, with the
 * microtasks of each instant run before the next (the service announces room after its callers heard
 * the outcome), so every call starts at the instant its credit was granted.
 */
export async function simulateKnee(
  algorithm: LimitAlgorithm,
  { knee, calls, base = 10 }: { knee: number; calls: number; base?: number | ((now: number) => number) },
): Promise<KneeRun> {
  const scheduler = new VirtualTimeScheduler(VirtualAction, Number.POSITIVE_INFINITY);
  const limits: number[] = [];
  const times: number[] = [];
  const recording: LimitAlgorithm = {
    get min() {
      return algorithm.min;
    },
    get max() {
      return algorithm.max;
    },
    get limit() {
      return algorithm.limit;
    },
    update(sample: LimitSample) {
      const limit = algorithm.update(sample);
      limits.push(limit);
      times.push(scheduler.now());
      return limit;
    },
  };
  let overCapacity = 0;
  let completed = 0;
  const service: AdaptiveService<number, number> = new AdaptiveService({
    algorithm: recording,
    scheduler,
    handler: (n: number) => {
      overCapacity = Math.max(overCapacity, service.active - service.capacity);
      const latency =
        (typeof base === 'number' ? base : base(scheduler.now())) * Math.max(1, service.active / knee);
      return timer(latency, scheduler).pipe(
        map(() => {
          completed++;
          return n;
        }),
      );
    },
  });
  let started = 0;
  const subscription = service.credits$.subscribe(() => {
    while (started < calls && service.isReady()) {
      started++;
      void service.do(started);
    }
  });
  for (let next = scheduler.actions[0]; next !== undefined; next = scheduler.actions[0]) {
    scheduler.maxFrames = next.delay;
    scheduler.flush();
    for (let tick = 0; tick < 4; tick++) await Promise.resolve();
  }
  subscription.unsubscribe();
  return { limits, overCapacity, completed, times };
}

/** A `base` for {@link simulateKnee}: 10 ms, and ten times that from `at` ms on, whatever the load. */
export function tenTimesSlowerFrom(at: number): (now: number) => number {
  return (now) => (now < at ? 10 : 100);
}

/** The limits a run set after `at` ms of virtual time. */
export function limitsAfter(run: KneeRun, at: number): number[] {
  return run.limits.filter((_, index) => (run.times[index] ?? 0) > at);
}
