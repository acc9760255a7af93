// The pipelines memory.bench.ts compares: a fast synchronous producer into a consumer that is slower
// than it, through our bounded operators and through the plain RxJS operators that queue everything.
import { concatMap, mergeMap, type Observable, range, tap } from 'rxjs';
import { CreditController, requestCredits, TrackedService, withHandshake } from '../src/index.js';
import { checkCount, type HeapSampler } from './harness.js';

/** How many items the slow consumer works on at once (credit it grants ahead; the service's capacity). */
const concurrency = 16;
const bufferSize = 1000;
/** The heap is sampled every 2^14 produced items (and as the slow work finishes). */
const sampleMask = (1 << 14) - 1;

export interface MemoryCase {
  readonly name: string;
  /** Whether its heap must stay flat as N grows (ours), or is expected to grow (the plain operators). */
  readonly bounded: boolean;
  /** Runs the case over `items` and throws when an item is unaccounted for. */
  run(items: number, heap: HeapSampler): Promise<void>;
}

/** Work that finishes a macrotask later: slower than any synchronous producer. */
function slowWork(item: number): Promise<number> {
  return new Promise((resolve) => setImmediate(resolve, item));
}

/** `range(0, items)`, sampling the heap as it produces; `produced()` says how many items it emitted. */
function producer(items: number, heap: HeapSampler): { source: Observable<number>; produced(): number } {
  let produced = 0;
  const source = range(0, items).pipe(
    tap(() => {
      if ((++produced & sampleMask) === 0) heap.sample();
    }),
  );
  return { source, produced: () => produced };
}

/**
 * The plain operator queues every item the producer emits while the work is slow; its peak is at the
 * end of production, after which the benchmark unsubscribes rather than wait for N slow calls.
 */
async function queueing(
  name: string,
  items: number,
  heap: HeapSampler,
  operator: (source: Observable<number>) => Observable<number>,
): Promise<void> {
  const { source, produced } = producer(items, heap);
  const subscription = operator(source).subscribe();
  heap.sample();
  subscription.unsubscribe();
  checkCount(name, items, produced());
}

export const memoryCases = {
  requestCredits: {
    name: `requestCredits, bufferSize ${bufferSize}, drop-oldest`,
    bounded: true,
    run: async (items, heap) => {
      const { source, produced } = producer(items, heap);
      const credits = new CreditController({ initial: concurrency });
      let delivered = 0;
      let dropped = 0;
      await new Promise<void>((resolve, reject) => {
        source
          .pipe(requestCredits(credits, { bufferSize, overflow: 'drop-oldest', onDrop: () => dropped++ }))
          .subscribe({
            next: (item) => {
              delivered++;
              void slowWork(item).then(() => {
                heap.sample();
                credits.grant(1);
              });
            },
            error: reject,
            complete: resolve,
          });
      });
      checkCount('requestCredits producer', items, produced());
      checkCount('requestCredits (delivered + dropped)', items, delivered + dropped);
    },
  },
  concatMap: {
    name: 'concatMap(slowWork)',
    bounded: false,
    run: async (items, heap) =>
      queueing('concatMap', items, heap, (source) => source.pipe(concatMap(slowWork))),
  },
  withHandshake: {
    name: `withHandshake(TrackedService ${concurrency}), bufferSize ${bufferSize}, drop-oldest`,
    bounded: true,
    run: async (items, heap) => {
      const { source, produced } = producer(items, heap);
      const service = new TrackedService({ capacity: concurrency, handler: slowWork });
      let results = 0;
      let dropped = 0;
      await new Promise<void>((resolve, reject) => {
        source
          .pipe(withHandshake(service, { bufferSize, overflow: 'drop-oldest', onDrop: () => dropped++ }))
          .subscribe({
            next: () => {
              results++;
              heap.sample();
            },
            error: reject,
            complete: resolve,
          });
      });
      checkCount('withHandshake producer', items, produced());
      checkCount('withHandshake (results + dropped)', items, results + dropped);
    },
  },
  mergeMap: {
    name: `mergeMap(slowWork, ${concurrency})`,
    bounded: false,
    run: async (items, heap) =>
      queueing('mergeMap', items, heap, (source) => source.pipe(mergeMap(slowWork, concurrency))),
  },
} satisfies Record<string, MemoryCase>;

export type MemoryCaseName = keyof typeof memoryCases;

export function isMemoryCaseName(name: unknown): name is MemoryCaseName {
  return typeof name === 'string' && Object.hasOwn(memoryCases, name);
}
