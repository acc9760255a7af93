import { getHeapStatistics } from 'node:v8';
import { mergeMap, tap } from 'rxjs';
import type { PipelineSample } from './DemoSample.js';
import type { DemoOptions } from './demoOptions.js';
import { fastProducer } from './fastProducer.js';
import { ratePerSecond } from './ratePerSecond.js';
import { slowService } from './slowService.js';

/**
 * The comparison: the same producer and service through plain `mergeMap(fn, capacity)`, the usual
 * RxJS answer. Nothing is dropped, so everything the service cannot take yet waits in mergeMap's
 * own unbounded queue, and the heap grows with it.
 */
export function mergeMapPipeline(
  options: DemoOptions,
  startedAt: number,
): { sample(): PipelineSample; stop(): void } {
  const call = slowService({ ...options, duration: options.duration * 1000, startedAt });
  let produced = 0;
  let started = 0;
  let processed = 0;
  let failed = 0;
  let inFlight = 0;
  const throughputOf = ratePerSecond();
  const subscription = fastProducer(options.rate)
    .pipe(
      tap(() => produced++),
      mergeMap((item) => {
        started++;
        inFlight++;
        return call(item).then(
          () => true,
          () => false,
        );
      }, options.capacity),
      tap((succeeded) => {
        inFlight--;
        processed++;
        if (!succeeded) failed++;
      }),
    )
    .subscribe();
  return {
    sample() {
      return {
        produced,
        processed,
        failed,
        throughput: throughputOf(processed),
        inFlight,
        capacity: options.capacity,
        buffered: produced - started,
        dropped: {},
        heapUsed: getHeapStatistics().used_heap_size,
      };
    },
    stop: () => subscription.unsubscribe(),
  };
}
