// Issue 6's benchmarks, sources and bridges: pullFrom(array) at grants of 1, 16 and 256 beside
// from(array); toAsyncIterable beside a hand-written queueing bridge, rxjs-for-await and IxJS over the
// same items; and the memory of a large generator read by a slow `for await`, through pullFrom beside
// from(generator).
import { from as ixFrom } from 'ix/asynciterable';
import { from, type Observable } from 'rxjs';
import { eachValueFrom } from 'rxjs-for-await';
import { CreditController, pullFrom, toAsyncIterable } from '../src/index.js';
import {
  type BenchmarkOptions,
  type BenchmarkRow,
  type Contender,
  checkCount,
  factor,
  formatBytes,
  HeapSampler,
  measureThroughput,
  type Rates,
} from './harness.js';

const batchSizes = [1, 16, 256] as const;

/**
 * The async bridges read their items in bursts of this many, each through a fresh iterator. from(array)
 * floods a bridge synchronously, and rxjs-for-await's and IxJS's unbounded queues dequeue with
 * `Array#shift`, which turns quadratic once a queue outgrows V8's regular heap objects (about 16k
 * items): over one flood of a million items, eachValueFrom does 0.02M items/s and IxJS had not finished
 * after four minutes. That would measure their queue rather than their bridging; bursts of 10k keep
 * every queue below the threshold.
 */
const burstSize = 10_000;

/** pullFrom(array) with a consumer that grants `batch` more each time the last batch is spent. */
function pullInBatches(items: readonly number[], batch: number): Contender {
  return {
    name: `pullFrom(array), grants of ${batch}`,
    run: () => {
      const credits = new CreditController({ initial: batch });
      let received = 0;
      pullFrom(items, credits).subscribe(() => {
        received++;
        if (received % batch === 0) credits.grant(batch);
      });
      return received;
    },
  };
}

/**
 * The usual hand-written bridge (what most blog posts do): every value goes into an unbounded queue,
 * whatever the loop's pace. Like rxjs-for-await's eachValueFrom, but it dequeues by index, so a long
 * queue costs no more per item than a short one.
 */
function queueingAsyncIterable<T>(source: Observable<T>): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let head = 0;
  let finished = false;
  let failure: { error: unknown } | undefined;
  let waiting: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void } | undefined;
  let subscribed = false;
  const settle = (): void => {
    if (waiting === undefined) return;
    const { resolve, reject } = waiting;
    if (head < queue.length) {
      waiting = undefined;
      const value = queue[head] as T;
      queue[head++] = undefined as T;
      resolve({ done: false, value });
    } else if (failure !== undefined) {
      waiting = undefined;
      reject(failure.error);
    } else if (finished) {
      waiting = undefined;
      resolve({ done: true, value: undefined });
    }
  };
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => {
      const result = new Promise<IteratorResult<T>>((resolve, reject) => {
        waiting = { resolve, reject };
      });
      if (!subscribed) {
        subscribed = true;
        source.subscribe({
          next: (value) => {
            queue.push(value);
            settle();
          },
          error: (error: unknown) => {
            failure = { error };
            settle();
          },
          complete: () => {
            finished = true;
            settle();
          },
        });
      }
      settle();
      return result;
    },
  };
  return iterator;
}

async function countLoop(iterable: AsyncIterable<unknown>): Promise<number> {
  let received = 0;
  for await (const _ of iterable) received++;
  return received;
}

/** A `for await` over `bridge(burst)` once per burst, counting every item of every burst. */
function inBursts(
  name: string,
  burst: readonly number[],
  bursts: number,
  bridge: (items: readonly number[]) => AsyncIterable<unknown>,
): Contender {
  return {
    name,
    run: async () => {
      let received = 0;
      for (let round = 0; round < bursts; round++) received += await countLoop(bridge(burst));
      return received;
    },
  };
}

function* generate(count: number): Generator<{ id: number }> {
  for (let id = 0; id < count; id++) yield { id };
}

/**
 * A loop slower than a synchronous generator: it yields to the event loop every 1000 items. Samples
 * the heap every 10 000 items and returns the count.
 */
async function slowLoop(iterable: AsyncIterable<unknown>, heap: HeapSampler): Promise<number> {
  let received = 0;
  for await (const _ of iterable) {
    received++;
    if (received % 1000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (received % 10_000 === 0) heap.sample();
  }
  return received;
}

/** One slow read of `iterable()`, its peak heap growth as the ratio: a figure, not a race, so run once. */
async function memoryCase(
  name: string,
  items: number,
  iterable: () => AsyncIterable<unknown>,
): Promise<BenchmarkRow> {
  const heap = new HeapSampler();
  const started = performance.now();
  const received = await slowLoop(iterable(), heap);
  const seconds = (performance.now() - started) / 1000;
  checkCount(name, items, received);
  return { name, itemsPerSecond: items / seconds, ratio: `peak heap +${formatBytes(heap.peakBytes)}` };
}

/** A row whose ratio is its rate over `baseline`'s, e.g. `0.45x from(array)`. */
function versus(
  rateOf: Rates,
  contender: Contender,
  baseline: Contender,
  baselineName: string,
): BenchmarkRow {
  return {
    name: contender.name,
    itemsPerSecond: rateOf(contender),
    ratio: `${factor(rateOf(contender) / rateOf(baseline))} ${baselineName}`,
  };
}

/** A peer's row, indented under `ours`: its rate over the baseline's, and ours over its. */
function peer(rateOf: Rates, contender: Contender, ours: Contender, baseline: Contender): BenchmarkRow {
  const row = versus(rateOf, contender, baseline, 'queueing iterator');
  return {
    ...row,
    name: `  ${row.name}`,
    ratio: `${row.ratio}, ours ${factor(rateOf(ours) / rateOf(contender))} as fast`,
  };
}

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const count = options.quick ? burstSize : 100 * burstSize;
  const memoryCount = options.quick ? 100_000 : 10_000_000;
  const rounds = options.quick ? { warmups: 0, timed: 1 } : { warmups: 1, timed: 5 };
  const items = Array.from({ length: count }, (_, index) => index);
  const burst = items.slice(0, burstSize);
  const bursts = count / burstSize;
  const label = (n: number): string => n.toLocaleString('en-US');

  // The memory cases run first: without --expose-gc there is no full collection before a heap baseline,
  // and the throughput rounds' garbage in it would hide the growth (pullFrom's case then read +0.0 MB).
  const memory = [
    await memoryCase(
      `memory: pullFrom(generator of ${label(memoryCount)}) into a slow for await`,
      memoryCount,
      () => toAsyncIterable((credits) => pullFrom(generate(memoryCount), credits)),
    ),
    await memoryCase(
      `memory: from(generator of ${label(memoryCount)}) into a slow for await`,
      memoryCount,
      () => queueingAsyncIterable(from(generate(memoryCount))),
    ),
  ];

  const plainFrom: Contender = {
    name: `from(array), ${label(count)} items`,
    run: () => {
      let received = 0;
      from(items).subscribe(() => {
        received++;
      });
      return received;
    },
  };
  const batches = batchSizes.map((batch) => pullInBatches(items, batch));

  const bridge = (name: string, make: (array: readonly number[]) => AsyncIterable<unknown>): Contender =>
    inBursts(name, burst, bursts, make);
  const queueing = bridge(
    `hand-written queueing async iterator over from(array), ${label(count)} items in bursts of ${label(burstSize)}`,
    (array) => queueingAsyncIterable(from(array)),
  );
  // Our two forms, each followed by the peers that read the same kind of source: an array pulled on
  // demand, or an Observable that floods the bridge.
  const factory = bridge('toAsyncIterable((credits) => pullFrom(array, credits))', (array) =>
    toAsyncIterable((credits) => pullFrom(array, credits)),
  );
  const ixArray = bridge('IxJS from(array)', (array) => ixFrom(array));
  const plain = bridge(`toAsyncIterable(from(array), { bufferSize: ${burstSize} })`, (array) =>
    toAsyncIterable(from(array), { bufferSize: burstSize }),
  );
  const forAwait = bridge('rxjs-for-await eachValueFrom(from(array)), unbounded buffer', (array) =>
    eachValueFrom(from(array)),
  );
  const ixObservable = bridge('IxJS from(from(array)), unbounded buffer', (array) => ixFrom(from(array)));

  // One interleaved list, so every contender sees the same machine and the same JIT history.
  const rateOf = await measureThroughput(
    count,
    [plainFrom, ...batches, queueing, factory, ixArray, plain, forAwait, ixObservable],
    rounds,
  );

  return [
    { name: plainFrom.name, itemsPerSecond: rateOf(plainFrom) },
    ...batches.map((contender) => versus(rateOf, contender, plainFrom, 'from(array)')),
    { name: queueing.name, itemsPerSecond: rateOf(queueing) },
    versus(rateOf, factory, queueing, 'queueing iterator'),
    peer(rateOf, ixArray, factory, queueing),
    versus(rateOf, plain, queueing, 'queueing iterator'),
    peer(rateOf, forAwait, plain, queueing),
    peer(rateOf, ixObservable, plain, queueing),
    ...memory,
  ];
}
