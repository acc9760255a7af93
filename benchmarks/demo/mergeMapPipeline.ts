import { getHeapStatistics } from 'node:v8';
import { mergeMap, tap } from 'rxjs';
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
  const settled = (job: Job, succeeded: boolean) => {
    inFlight--;
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
        return call(job).then(
          () => settled(job, true),
          () => settled(job, false),
        );
      }, options.capacity),
    )
    .subscribe();
  return {
    sample: () =>
      outcomes.sample({
        produced,
        inFlight,
        capacity: options.capacity,
        buffered: produced - started,
        dropped: {},
        heapUsed: getHeapStatistics().used_heap_size,
      }),
    stop: () => subscription.unsubscribe(),
  };
}
