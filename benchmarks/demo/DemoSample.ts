import type { DropReason } from '../../src/index.js';

/** One pipeline's state at one moment of the demo, measured inside the pipeline's own worker. */
export interface PipelineSample {
  /** Items the producer emitted so far. */
  readonly produced: number;
  /** Results that came out (successes and failures). */
  readonly processed: number;
  /** Results that were failures of the degraded service. */
  readonly failed: number;
  /** Results per second over the last interval. */
  readonly throughput: number;
  readonly inFlight: number;
  readonly capacity: number | undefined;
  /** Items waiting: the bounded buffer of withHandshake, or mergeMap's own (unbounded) queue. */
  readonly buffered: number;
  readonly dropped: Readonly<Partial<Record<DropReason, number>>>;
  /** Bytes of heap in use by the worker that runs this pipeline. */
  readonly heapUsed: number;
  readonly breaker?: 'closed' | 'open' | 'half-open';
  /** Latency of the service's recent calls in ms (from the FlowMonitor). */
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
  /** Milliseconds since the start. */
  readonly at: number;
  readonly phase: DemoPhase;
  readonly handshake: PipelineSample;
  readonly mergeMap: PipelineSample;
}
