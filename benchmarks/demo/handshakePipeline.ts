import { getHeapStatistics } from 'node:v8';
import { tap } from 'rxjs';
import {
  AdaptiveService,
  circuitBreaker,
  type DropReason,
  type HandshakeProvider,
  vegasLimit,
  withHandshake,
} from '../../src/index.js';
import type { PipelineSample } from './DemoSample.js';
import type { DemoOptions } from './demoOptions.js';
import { fastProducer, type Job } from './fastProducer.js';
import { slowService } from './slowService.js';

/**
 * Ours: the producer through `withHandshake` with a bounded buffer into the slow service, whose
 * capacity a Vegas limit adapts to its latency and which a circuit breaker guards.
 */
export function handshakePipeline(
  options: DemoOptions,
  startedAt: number,
): { sample(): PipelineSample; stop(): void } {
  const call = slowService({ ...options, duration: options.duration * 1000, startedAt });
  const adaptive = new AdaptiveService({
    handler: (job: Job) => call(job),
    algorithm: vegasLimit({
      initial: Math.max(1, Math.floor(options.capacity / 2)),
      max: options.capacity * 4,
    }),
  });
  const breaker = circuitBreaker(adaptive, { failureThreshold: 5, resetTimeout: 1000 });
  // A failed call becomes a result, so one failure does not end the stream; the breaker still sees it.
  const service: HandshakeProvider<Job, boolean> = {
    isReady: () => breaker.isReady(),
    do: (item, signal) =>
      breaker.do(item, signal).then(
        () => true,
        () => false,
      ),
    credits$: breaker.credits$,
  };
  const dropped: Partial<Record<DropReason, number>> = {};
  let produced = 0;
  let started = 0;
  let processed = 0;
  let failed = 0;
  let lastProcessed = 0;
  let lastAt = performance.now();
  let error: string | undefined;
  const counted: HandshakeProvider<Job, boolean> = {
    ...service,
    do: (item, signal) => {
      started++;
      return service.do(item, signal);
    },
  };
  const subscription = fastProducer(options.rate)
    .pipe(
      tap(() => produced++),
      withHandshake(counted, {
        ...(options.strategy === 'buffer'
          ? { bufferSize: 1000, overflow: 'drop-oldest' as const }
          : { strategy: options.strategy }),
        onDrop: (_item, reason) => {
          dropped[reason] = (dropped[reason] ?? 0) + 1;
        },
      }),
    )
    .subscribe({
      next: (succeeded) => {
        processed++;
        if (!succeeded) failed++;
      },
      error: (reason: unknown) => {
        error = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
      },
    });
  return {
    sample() {
      const now = performance.now();
      const throughput = ((processed - lastProcessed) * 1000) / Math.max(1, now - lastAt);
      lastProcessed = processed;
      lastAt = now;
      const droppedTotal = Object.values(dropped).reduce((sum, count) => sum + count, 0);
      return {
        produced,
        processed,
        failed,
        throughput,
        inFlight: started - processed,
        capacity: adaptive.capacity,
        buffered: produced - started - droppedTotal,
        dropped: { ...dropped },
        heapUsed: getHeapStatistics().used_heap_size,
        breaker: breaker.state,
        ...(error === undefined ? {} : { error }),
      };
    },
    stop: () => subscription.unsubscribe(),
  };
}
