import type { SchedulerLike } from 'rxjs';
import type { DemoPhase } from './DemoSample.js';
import { DurationHistogram, type DurationPercentiles } from './DurationHistogram.js';
import { demoPhase } from './demoPhase.js';
import type { Job } from './fastProducer.js';

/** What {@link JobAges} tells at one moment. */
export interface AgeReport {
  /** Jobs that succeeded within the deadline of their production, since the start. */
  readonly useful: number;
  /** Ages of the jobs that succeeded since the previous report. */
  readonly recent: DurationPercentiles | undefined;
  /** Ages of all the jobs that succeeded, and of those that succeeded in each phase. */
  readonly overall: DurationPercentiles | undefined;
  readonly byPhase: Readonly<Partial<Record<DemoPhase, DurationPercentiles>>>;
}

/**
 * The age of every job that succeeds (from its production to its result, by the run's clock) and how
 * many succeeded within `deadline` ms: the work that was still worth doing.
 */
export class JobAges {
  readonly #scheduler: SchedulerLike;
  readonly #startedAt: number;
  readonly #duration: number;
  readonly #deadline: number;
  readonly #recent = new DurationHistogram();
  readonly #overall = new DurationHistogram();
  readonly #byPhase: Record<DemoPhase, DurationHistogram> = {
    steady: new DurationHistogram(),
    degraded: new DurationHistogram(),
    recovered: new DurationHistogram(),
  };
  #useful = 0;

  constructor(options: { scheduler: SchedulerLike; startedAt: number; duration: number; deadline: number }) {
    this.#scheduler = options.scheduler;
    this.#startedAt = options.startedAt;
    this.#duration = options.duration;
    this.#deadline = options.deadline;
  }

  /** Records a job that succeeded now. */
  succeeded(job: Job): void {
    const now = this.#scheduler.now();
    const age = now - job.producedAt;
    if (age <= this.#deadline) this.#useful++;
    this.#recent.record(age);
    this.#overall.record(age);
    this.#byPhase[demoPhase(now - this.#startedAt, this.#duration)].record(age);
  }

  /** The figures now; the recent ages start afresh. */
  report(): AgeReport {
    const recent = this.#recent.percentiles();
    this.#recent.clear();
    const byPhase: Partial<Record<DemoPhase, DurationPercentiles>> = {};
    for (const phase of ['steady', 'degraded', 'recovered'] as const) {
      const percentiles = this.#byPhase[phase].percentiles();
      if (percentiles !== undefined) byPhase[phase] = percentiles;
    }
    return { useful: this.#useful, recent, overall: this.#overall.percentiles(), byPhase };
  }
}
