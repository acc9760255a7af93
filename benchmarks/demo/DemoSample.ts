import type { DropReason } from '../../src/index.js';
import type { AgeReport } from './JobAges.js';

/**
 * One pipeline's state at one moment of the demo, measured inside the pipeline's own worker. The
 * counts add up at every sample: `produced = succeeded + failed + buffered + dropped + inFlight`.
 */
export interface PipelineSample {
  /** Milliseconds since the run started, by the pipeline's own reading of the run's clock. */
  readonly at: number;
  /** Items the producer emitted so far. */
  readonly produced: number;
  /** Results that came out (successes and failures). */
  readonly processed: number;
  /** Results that were failures of the degraded service. */
  readonly failed: number;
  /** Successes per second over the last interval. */
  readonly throughput: number;
  /** Successes within the deadline of their production, per second over the last interval. */
  readonly usefulThroughput: number;
  /** The age of the jobs that succeeded, and how many did so within the deadline. */
  readonly ages: AgeReport;
  readonly inFlight: number;
  readonly capacity: number | undefined;
  /** Items waiting: the bounded buffer of withHandshake, or mergeMap's own (unbounded) queue. */
  readonly buffered: number;
  readonly dropped: Readonly<Partial<Record<DropReason, number>>>;
  /** Bytes of heap in use by the worker that runs this pipeline. */
  readonly heapUsed: number;
  readonly breaker?: 'closed' | 'open' | 'half-open';
  /** Latency of the service's recent calls in ms (ours from its FlowMonitor, mergeMap's measured). */
  readonly latency?: { readonly p50: number; readonly p99: number };
  /** The FlowMonitor's alerts raised and not yet cleared. */
  readonly alerts?: readonly string[];
  /** Why the pipeline stopped early (the `'error'` strategy ends it at the first refusal). */
  readonly error?: string;
}

/** What the service is going through. */
export type DemoPhase = 'steady' | 'degraded' | 'recovered';

/** Both pipelines side by side at one moment. */
export interface DemoSample {
  /** Milliseconds since the run started (both workers ready), when the sample was asked for. */
  readonly at: number;
  readonly phase: DemoPhase;
  readonly handshake: PipelineSample;
  readonly mergeMap: PipelineSample;
}

/** Items a pipeline dropped, all reasons together. */
export function droppedTotal(sample: PipelineSample): number {
  return Object.values(sample.dropped).reduce<number>((total, count) => total + (count ?? 0), 0);
}

/**
 * What is missing from `produced = succeeded + failed + buffered + dropped + inFlight`: 0 when every
 * job is accounted for.
 */
export function unaccounted(sample: PipelineSample): number {
  return sample.produced - sample.processed - sample.buffered - droppedTotal(sample) - sample.inFlight;
}
