import { getHeapStatistics } from 'node:v8';
import { tap } from 'rxjs';
import {
  AdaptiveService,
  circuitBreaker,
  FlowMonitor,
  type HandshakeProvider,
  vegasLimit,
  withHandshake,
} from '../../src/index.js';
import { fastProducer, type Job } from './fastProducer.js';
import { type PipelineContext, PipelineOutcomes, type RunningPipeline } from './PipelineRun.js';
import { ServiceFailure, slowService } from './slowService.js';

/** A job's outcome as a result of the stage: a failed call is a result too, so it does not end the stream. */
interface Outcome {
  readonly job: Job;
  readonly succeeded: boolean;
}

/**
 * Ours: the producer through `withHandshake` with a bounded buffer into the slow service, whose
 * capacity a Vegas limit adapts to its latency and which a circuit breaker guards.
 */
export function handshakePipeline(context: PipelineContext): RunningPipeline {
  const { options, scheduler, startedAt } = context;
  const call = slowService({ ...options, duration: options.duration * 1000, startedAt, scheduler });
  const outcomes = new PipelineOutcomes(context);
  // One monitor watches the stage, the service and its breaker; its alerts run on its own timer.
  const monitor = new FlowMonitor({
    name: 'demo',
    interval: 500,
    scheduler,
    // Raised alerts are shown by name; 'stalled' would name a stage that holds jobs with no room and
    // nothing in flight (the breaker's open spells are shorter than its 1 s).
    alerts: {
      drops: true,
      breakerOpen: true,
      utilizationAbove: { ratio: 0.95, for: 2000 },
      stalled: { for: 1000 },
    },
  });
  const alerts = new Set<string>();
  const alertSubscription = monitor.alerts$.subscribe((alert) => {
    if (alert.status === 'raised') alerts.add(alert.rule);
    else alerts.delete(alert.rule);
  });
  const adaptive = new AdaptiveService({
    monitor,
    scheduler,
    handler: (job: Job) => call(job),
    // Starts from the capacity mergeMap is given, and finds the service's real one from there.
    algorithm: vegasLimit({
      initial: options.capacity,
      max: options.capacity * 4,
      ...(context.random === undefined ? {} : { random: context.random }),
    }),
    // The service's own failures (a job that fails, an outage) say nothing about its load: the
    // breaker deals with them. Counted as drops, they would hold the limit near 1 while degraded.
    isDropped: (error) => !(error instanceof ServiceFailure),
  });
  // The breaker opens on an outage, not on the failure of one job (a trial that meets one frees its
  // place for another), and tries again every 100 ms with as many calls as the service is said to
  // take: a trial round costs a few fast failures while the service is down, and every second it
  // stays open once the service is back costs the run 40-200 jobs.
  const breaker = circuitBreaker(adaptive, {
    failureThreshold: 5,
    resetTimeout: 100,
    halfOpenMaxCalls: options.capacity,
    isFailure: (error) => error instanceof ServiceFailure && error.outage,
    scheduler,
    monitor,
  });
  let produced = 0;
  // Counted here rather than read from the stage: calls still running when the 'error' strategy ends
  // the stage are abandoned, not gone, and stay in flight in the summary.
  let started = 0;
  // A failed job becomes a result here, not a retry: this service fails the same jobs every time
  // (a job's own fault), so a retry through the handshake would only take room from fresh jobs.
  const service: HandshakeProvider<Job, Outcome> = {
    isReady: () => breaker.isReady(),
    do: (job, signal) => {
      started++;
      return breaker.do(job, signal).then(
        () => ({ job, succeeded: true }),
        () => ({ job, succeeded: false }),
      );
    },
    credits$: breaker.credits$,
  };
  let error: string | undefined;
  const subscription = fastProducer({
    rate: options.rate,
    scheduler,
    startedAt,
    payloadLength: context.payloadLength,
  })
    .pipe(
      tap(() => produced++),
      withHandshake(service, {
        monitor,
        scheduler,
        ...(options.strategy === 'buffer'
          ? // The freshest jobs wait, none for more than half the deadline: older ones could only fail it.
            { bufferSize: 1000, overflow: 'drop-oldest' as const, ttl: (options.deadline * 1000) / 2 }
          : { strategy: options.strategy }),
      }),
    )
    .subscribe({
      next: ({ job, succeeded }) => {
        if (succeeded) outcomes.succeeded(job);
        else outcomes.failed();
      },
      error: (reason: unknown) => {
        error = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
      },
    });
  return {
    sample() {
      const snapshot = monitor.snapshot();
      return outcomes.sample({
        produced,
        inFlight: started - outcomes.results,
        capacity: snapshot.capacity,
        buffered: snapshot.buffered,
        dropped: snapshot.dropped,
        heapUsed: getHeapStatistics().used_heap_size,
        ...(snapshot.breaker === undefined ? {} : { breaker: snapshot.breaker }),
        ...(snapshot.latency === undefined ? {} : { latency: snapshot.latency }),
        alerts: [...alerts],
        ...(error === undefined ? {} : { error }),
      });
    },
    stop: () => {
      subscription.unsubscribe();
      alertSubscription.unsubscribe();
    },
  };
}
