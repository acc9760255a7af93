import { getHeapStatistics } from 'node:v8';
import { mergeMap, tap } from 'rxjs';
import { DurationHistogram } from './DurationHistogram.js';
import { fastProducer, type Job } from './fastProducer.js';
import { type PipelineContext, PipelineOutcomes, type RunningPipeline } from './PipelineRun.js';
import { slowService } from './slowService.js';

/**
 * The comparison: the same producer and service through plain `mergeMap(fn, capacity)`, the usual
 * RxJS answer. Nothing is dropped, so everything the service cannot take yet waits in mergeMap's
 * own unbounded queue, and the heap grows with it.
 */
export function mergeMapPipeline(context: PipelineContext): RunningPipeline {
  const { options, scheduler, startedAt } = context;
  const call = slowService({ ...options, duration: options.duration * 1000, startedAt, scheduler });
  const outcomes = new PipelineOutcomes(context);
  let produced = 0;
  let started = 0;
  let inFlight = 0;
  // Latency of the calls that settled since the previous sample (ours has its FlowMonitor's).
  const latency = new DurationHistogram();
  const settled = (job: Job, callStartedAt: number, succeeded: boolean) => {
    inFlight--;
    latency.record(scheduler.now() - callStartedAt);
    if (succeeded) outcomes.succeeded(job);
    else outcomes.failed();
  };
  const subscription = fastProducer({
    rate: options.rate,
    scheduler,
    startedAt,
    payloadLength: context.payloadLength,
  })
    .pipe(
      tap(() => produced++),
      mergeMap((job) => {
        started++;
        inFlight++;
        const callStartedAt = scheduler.now();
        return call(job).then(
          () => settled(job, callStartedAt, true),
          () => settled(job, callStartedAt, false),
        );
      }, options.capacity),
    )
    .subscribe();
  return {
    sample: () => {
      const recent = latency.percentiles();
      latency.clear();
      return outcomes.sample({
        produced,
        inFlight,
        capacity: options.capacity,
        buffered: produced - started,
        dropped: {},
        heapUsed: getHeapStatistics().used_heap_size,
        ...(recent === undefined ? {} : { latency: { p50: recent.p50, p99: recent.p99 } }),
      });
    },
    stop: () => subscription.unsubscribe(),
  };
}
