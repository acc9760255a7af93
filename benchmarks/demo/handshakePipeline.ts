import { getHeapStatistics } from 'node:v8';
import {
  AdaptiveService,
  circuitBreaker,
  FlowMonitor,
  type HandshakeProvider,
  vegasLimit,
  withHandshake,
} from '../../src/index.js';
import type { PipelineSample } from './DemoSample.js';
import type { DemoOptions } from './demoOptions.js';
import { fastProducer, type Job } from './fastProducer.js';
import { ratePerSecond } from './ratePerSecond.js';
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
  // One monitor watches the stage, the service and its breaker; its alerts run on its own timer.
  const monitor = new FlowMonitor({
    name: 'demo',
    interval: 500,
    alerts: { drops: true, breakerOpen: true, utilizationAbove: { ratio: 0.95, for: 2000 } },
  });
  const alerts = new Set<string>();
  const alertSubscription = monitor.alerts$.subscribe((alert) => {
    if (alert.status === 'raised') alerts.add(alert.rule);
    else alerts.delete(alert.rule);
  });
  const adaptive = new AdaptiveService({
    monitor,
    handler: (job: Job) => call(job),
    algorithm: vegasLimit({
      initial: Math.max(1, Math.floor(options.capacity / 2)),
      max: options.capacity * 4,
    }),
  });
  const breaker = circuitBreaker(adaptive, { failureThreshold: 5, resetTimeout: 1000, monitor });
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
  let processed = 0;
  let failed = 0;
  const throughputOf = ratePerSecond();
  let error: string | undefined;
  const subscription = fastProducer(options.rate)
    .pipe(
      withHandshake(service, {
        monitor,
        ...(options.strategy === 'buffer'
          ? { bufferSize: 1000, overflow: 'drop-oldest' as const }
          : { strategy: options.strategy }),
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
      const snapshot = monitor.snapshot();
      return {
        produced: snapshot.received,
        processed,
        failed,
        throughput: throughputOf(processed),
        inFlight: snapshot.inFlight ?? 0,
        capacity: snapshot.capacity,
        buffered: snapshot.buffered,
        dropped: snapshot.dropped,
        heapUsed: getHeapStatistics().used_heap_size,
        ...(snapshot.breaker === undefined ? {} : { breaker: snapshot.breaker }),
        ...(snapshot.latency === undefined ? {} : { latency: snapshot.latency }),
        alerts: [...alerts],
        ...(error === undefined ? {} : { error }),
      };
    },
    stop: () => {
      subscription.unsubscribe();
      alertSubscription.unsubscribe();
    },
  };
}
