import type { SchedulerLike } from 'rxjs';
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
  /** When the run started, by `scheduler`'s clock. */
  readonly startedAt: number;
  /** The clock of the phases and the timers of the calls. */
  readonly scheduler: SchedulerLike;
}

/** The error of a call that failed; `outage` tells a failure of the whole service from one of the job. */
export class ServiceFailure extends Error {
  override readonly name = 'ServiceFailure';
  constructor(
    readonly jobId: number,
    readonly outage: boolean,
  ) {
    super(outage ? `the service is down (job ${jobId})` : `the service failed on job ${jobId}`);
  }
}

/**
 * One job in five, the same for both pipelines, spread by a multiplicative hash: a plain `id % 5`
 * lines up with the producer's batches, so the job at the head of a buffer would always be one that
 * fails, and every trial call of a half-open breaker would fail with it.
 */
function failsWhenDegraded(id: number): boolean {
  return (Math.imul(id, 0x9e3779b1) >>> 0) % 5 === 0;
}

/**
 * A simulated remote service, the same for both pipelines: each call takes `latency` ms, longer once
 * more than `capacity` calls run at once (a knee an adaptive limit can find). While degraded, calls
 * take four times longer whatever the load and one job in five fails, and in the middle of that phase
 * comes an outage in which every call fails fast (what a circuit breaker is for).
 */
export function slowService(options: SlowServiceOptions): (job: Job) => Promise<number> {
  const { scheduler } = options;
  let running = 0;
  return (job) => {
    const elapsed = scheduler.now() - options.startedAt;
    const degraded = demoPhase(elapsed, options.duration) === 'degraded';
    const intoDegraded = (elapsed / options.duration - 1 / 3) * 3;
    const outage = degraded && intoDegraded > 0.3 && intoDegraded < 0.6;
    running++;
    const overload = Math.max(0, running - options.capacity) / options.capacity;
    const latency = outage ? options.latency / 2 : options.latency * (degraded ? 4 : 1) * (1 + overload);
    const fails = outage || (degraded && failsWhenDegraded(job.id));
    return new Promise<number>((resolve, reject) => {
      scheduler.schedule(() => {
        running--;
        if (fails) reject(new ServiceFailure(job.id, outage));
        else resolve(job.id);
      }, latency);
    });
  };
}
