import { demoPhase } from './demoPhase.js';
import type { Job } from './fastProducer.js';

/** How the simulated service behaves, from the demo's flags. */
export interface SlowServiceOptions {
  /** Calls it can run at once before every call slows down (its real, hidden capacity). */
  readonly capacity: number;
  /** Milliseconds per call when healthy and under capacity. */
  readonly latency: number;
  /** Milliseconds the whole demo lasts, for the phases. */
  readonly duration: number;
  /** `Date.now()` when the demo started (shared by the threads, unlike `performance.now()`). */
  readonly startedAt: number;
}

/**
 * A simulated remote service, the same for both pipelines: each call takes `latency` ms, longer once
 * more than `capacity` calls run at once (a knee an adaptive limit can find). While degraded, calls
 * take four times longer and one in five fails, and in the middle of that phase comes an outage in
 * which every call fails fast (what a circuit breaker is for).
 */
export function slowService(options: SlowServiceOptions): (job: Job) => Promise<number> {
  let running = 0;
  return (job) => {
    const elapsed = Date.now() - options.startedAt;
    const degraded = demoPhase(elapsed, options.duration) === 'degraded';
    const intoDegraded = (elapsed / options.duration - 1 / 3) * 3;
    const outage = degraded && intoDegraded > 0.3 && intoDegraded < 0.6;
    running++;
    const overload = Math.max(0, running - options.capacity) / options.capacity;
    const latency = outage ? options.latency / 2 : options.latency * (degraded ? 4 : 1) * (1 + overload);
    const fails = outage || (degraded && job.id % 5 === 0);
    return new Promise<number>((resolve, reject) => {
      setTimeout(() => {
        running--;
        if (fails) reject(new Error(`the service failed on job ${job.id}`));
        else resolve(job.id);
      }, latency);
    });
  };
}
