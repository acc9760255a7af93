import type { SchedulerLike } from 'rxjs';
import type { PipelineSample } from './DemoSample.js';
import type { DemoOptions } from './demoOptions.js';
import type { Job } from './fastProducer.js';
import { JobAges } from './JobAges.js';
import { ratePerSecond } from './ratePerSecond.js';

/** What a pipeline of the demo needs: the flags, the run's clock and when the run started by it. */
export interface PipelineContext {
  readonly options: DemoOptions;
  readonly scheduler: SchedulerLike;
  readonly startedAt: number;
  /** Randomness of the adaptive limit's probes; `Math.random` unless a test makes it repeatable. */
  readonly random?: () => number;
  /** Numbers each job carries; default 256 (about 1 KiB). A virtual run, which measures no heap, carries none. */
  readonly payloadLength?: number;
}

/** A pipeline running in its worker: sampled on request, stopped at the end. */
export interface RunningPipeline {
  sample(): PipelineSample;
  stop(): void;
}

/** What only the pipeline itself knows at the moment of a sample. */
export type PipelineState = Omit<
  PipelineSample,
  'at' | 'processed' | 'failed' | 'throughput' | 'usefulThroughput' | 'ages'
>;

/**
 * The outcomes of one pipeline, counted the same way for both: successes with their age, failures,
 * and both rates over the interval since the previous sample.
 */
export class PipelineOutcomes {
  readonly #context: PipelineContext;
  readonly #ages: JobAges;
  readonly #throughput: (count: number) => number;
  readonly #usefulThroughput: (count: number) => number;
  #succeeded = 0;
  #failed = 0;

  constructor(context: PipelineContext) {
    const { options, scheduler, startedAt } = context;
    this.#context = context;
    this.#ages = new JobAges({
      scheduler,
      startedAt,
      duration: options.duration * 1000,
      deadline: options.deadline * 1000,
    });
    const now = () => scheduler.now();
    this.#throughput = ratePerSecond(now);
    this.#usefulThroughput = ratePerSecond(now);
  }

  succeeded(job: Job): void {
    this.#succeeded++;
    this.#ages.succeeded(job);
  }

  failed(): void {
    this.#failed++;
  }

  /** Results so far, successes and failures. */
  get results(): number {
    return this.#succeeded + this.#failed;
  }

  /** The sample of this moment, from what the pipeline tells of its own state. */
  sample(state: PipelineState): PipelineSample {
    const ages = this.#ages.report();
    return {
      ...state,
      at: this.#context.scheduler.now() - this.#context.startedAt,
      processed: this.#succeeded + this.#failed,
      failed: this.#failed,
      throughput: this.#throughput(this.#succeeded),
      usefulThroughput: this.#usefulThroughput(ages.useful),
      ages,
    };
  }
}
