import { from, type Observable } from 'rxjs';
import { CreditController } from '../src/credits/CreditController.js';
import { pullFrom } from '../src/sources/pullFrom.js';
import { toAsyncIterable } from '../src/sources/toAsyncIterable.js';

/** One line of the benchmark report. */
export interface BenchmarkRow {
  name: string;
  itemsPerSecond: number;
  ratio?: string;
}

/** A timing counts only when every item arrived: a fast wrong answer is no answer. */
function checkCount(name: string, expected: number, actual: number): void {
  if (actual !== expected) throw new Error(`${name}: expected ${expected} items, got ${actual}.`);
}

/** Items per second of the fastest of `repeats` timed runs, after a warm-up run (the least disturbed). */
async function measure(
  name: string,
  items: number,
  repeats: number,
  body: () => Promise<number> | number,
): Promise<BenchmarkRow> {
  checkCount(name, items, await body());
  let fastest = Number.POSITIVE_INFINITY;
  for (let run = 0; run < repeats; run++) {
    const start = performance.now();
    const counted = await body();
    fastest = Math.min(fastest, performance.now() - start);
    checkCount(name, items, counted);
  }
  return { name, itemsPerSecond: Math.round(items / (fastest / 1000)) };
}

function versus(row: BenchmarkRow, baseline: BenchmarkRow, baselineName: string): BenchmarkRow {
  return { ...row, ratio: `${(row.itemsPerSecond / baseline.itemsPerSecond).toFixed(2)}x ${baselineName}` };
}

/** pullFrom(array) with a consumer that grants `batch` more each time the last batch is spent. */
function pullInBatches(items: readonly number[], batch: number): number {
  const credits = new CreditController({ initial: batch });
  let received = 0;
  pullFrom(items, credits).subscribe(() => {
    received++;
    if (received % batch === 0) credits.grant(batch);
  });
  return received;
}

function plainFrom(items: readonly number[]): number {
  let received = 0;
  from(items).subscribe(() => {
    received++;
  });
  return received;
}

/**
 * The usual hand-written bridge (what rxjs-for-await and most blog posts do): every value goes into an
 * unbounded queue, whatever the loop's pace.
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

function* generate(count: number): Generator<{ id: number }> {
  for (let id = 0; id < count; id++) yield { id };
}

const megabytes = (bytes: number) => bytes / (1024 * 1024);

/**
 * A loop slower than a synchronous generator: it yields to the event loop every 1000 items. Returns the
 * count and the peak heap growth, sampled every 10 000 items.
 */
async function slowLoop(iterable: AsyncIterable<unknown>): Promise<{ received: number; peakHeapMB: number }> {
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  let received = 0;
  for await (const _ of iterable) {
    received++;
    if (received % 1000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (received % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  return { received, peakHeapMB: megabytes(Math.max(0, peak - before)) };
}

async function memoryCase(
  name: string,
  items: number,
  iterable: () => AsyncIterable<unknown>,
): Promise<BenchmarkRow> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = performance.now();
  const { received, peakHeapMB } = await slowLoop(iterable());
  const seconds = (performance.now() - start) / 1000;
  checkCount(name, items, received);
  return {
    name,
    itemsPerSecond: Math.round(items / seconds),
    ratio: `peak heap +${peakHeapMB.toFixed(1)} MB`,
  };
}

/**
 * Sources and bridges: pullFrom(array) at grants of 1, 16 and 256 beside from(array); toAsyncIterable
 * beside the usual queueing bridge; and the memory of a large generator read by a slow `for await`,
 * through pullFrom beside from(generator). Quick mode (for `npm test`) uses small counts.
 */
export async function run(options: { quick: boolean }): Promise<BenchmarkRow[]> {
  const count = options.quick ? 10_000 : 1_000_000;
  const memoryCount = options.quick ? 100_000 : 10_000_000;
  const repeats = options.quick ? 1 : 5;
  const items = Array.from({ length: count }, (_, index) => index);
  const rows: BenchmarkRow[] = [];

  const baseline = await measure(`from(array), ${count} items`, count, repeats, () => plainFrom(items));
  rows.push(baseline);
  for (const batch of [1, 16, 256]) {
    const row = await measure(`pullFrom(array), grants of ${batch}`, count, repeats, () =>
      pullInBatches(items, batch),
    );
    rows.push(versus(row, baseline, 'from(array)'));
  }

  const queueing = await measure(
    `hand-written queueing async iterator over from(array)`,
    count,
    repeats,
    () => countLoop(queueingAsyncIterable(from(items))),
  );
  rows.push(queueing);
  const factory = await measure(
    'toAsyncIterable((credits) => pullFrom(array, credits))',
    count,
    repeats,
    () => countLoop(toAsyncIterable((credits) => pullFrom(items, credits))),
  );
  rows.push(versus(factory, queueing, 'queueing iterator'));
  const plain = await measure(`toAsyncIterable(from(array), { bufferSize: ${count} })`, count, repeats, () =>
    countLoop(toAsyncIterable(from(items), { bufferSize: count })),
  );
  rows.push(versus(plain, queueing, 'queueing iterator'));

  rows.push(
    await memoryCase(`memory: pullFrom(generator of ${memoryCount}) into a slow for await`, memoryCount, () =>
      toAsyncIterable((credits) => pullFrom(generate(memoryCount), credits)),
    ),
  );
  rows.push(
    await memoryCase(`memory: from(generator of ${memoryCount}) into a slow for await`, memoryCount, () =>
      queueingAsyncIterable(from(generate(memoryCount))),
    ),
  );
  return rows;
}
