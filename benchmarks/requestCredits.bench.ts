// Issue 3's throughput benchmark: the cost of credit-based flow control per item, ours beside a plain
// `map` and beside the peers' request(n), over the same N items from a synchronous range.

import Rx from 'rx';
import { map, range, Subject, startWith, zip } from 'rxjs';
import { CreditController, requestCredits } from '../src/index.js';
import { BatchConsumer } from './BatchConsumer.js';
import { requestCreditsInBatches, rsocketFlowableInBatches } from './batchContenders.js';
import {
  type BenchmarkOptions,
  type BenchmarkRow,
  type Contender,
  factor,
  measureThroughput,
  targetJudge,
} from './harness.js';

const batchSizes = [1, 16, 256] as const;

/**
 * RxJS 4's controlled(). Everything runs inside one currentThread trampoline, where a request made in
 * `onNext` is served before the range's next step; subscribed outside it, the range first queues all
 * N items and every request shifts a huge array (quadratic: 0.03M items/s at N = 100k).
 */
function rx4Controlled(items: number, batch: number): Contender {
  return {
    name: `RxJS 4 controlled(), request(${batch})`,
    run: () => {
      let count = 0;
      Rx.Scheduler.currentThread.schedule(undefined, () => {
        const source = Rx.Observable.range(0, items).controlled();
        const consumer = new BatchConsumer(batch, (n) => source.request(n));
        source.subscribe(
          () => consumer.next(),
          undefined,
          () => {
            count = consumer.count;
          },
        );
        source.request(batch);
        return undefined;
      });
      return count;
    },
  };
}

/** A WHATWG ReadableStream whose high-water mark is the batch, read one item at a time. */
function readableStream(items: number, batch: number): Contender {
  return {
    name: `ReadableStream, highWaterMark ${batch}`,
    run: async () => {
      let next = 0;
      const stream = new ReadableStream<number>(
        {
          pull: (controller) => {
            while ((controller.desiredSize ?? 0) > 0 && next < items) controller.enqueue(next++);
            if (next === items) controller.close();
          },
        },
        new CountQueuingStrategy({ highWaterMark: batch }),
      );
      const reader = stream.getReader();
      let count = 0;
      while (!(await reader.read()).done) count++;
      return count;
    },
  };
}

/**
 * The usual RxJS 7 workaround: `zip` the source with a subject of "ready" signals. The ready signals
 * come first (an initial batch, then `batch` more per spent batch), so a ready made inside `next`
 * only waits in zip's buffer instead of recursing.
 */
function zipWithReady(items: number, batch: number): Contender {
  return {
    name: `RxJS 7 zip with a ready subject, ${batch} at a time`,
    run: () => {
      const ready = new Subject<void>();
      const consumer = new BatchConsumer(batch, (n) => {
        for (let signal = 0; signal < n; signal++) ready.next();
      });
      const initial = new Array<undefined>(batch).fill(undefined);
      zip(ready.pipe(startWith(...initial)), range(0, items)).subscribe(() => consumer.next());
      return consumer.count;
    },
  };
}

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const items = options.quick ? 2_000 : 1_000_000;
  const rounds = options.quick ? { warmups: 0, timed: 1 } : { warmups: 1, timed: 5 };
  const baseline: Contender = {
    name: 'range → map (baseline)',
    run: () => {
      let count = 0;
      range(0, items)
        .pipe(map((item) => item * 2))
        .subscribe(() => {
          count++;
        });
      return count;
    },
  };
  const unbounded: Contender = {
    name: 'range → requestCredits, unbounded credit',
    run: () => {
      let count = 0;
      range(0, items)
        .pipe(requestCredits(new CreditController({ initial: Number.POSITIVE_INFINITY })))
        .subscribe(() => {
          count++;
        });
      return count;
    },
  };
  const groups = batchSizes.map((batch) => ({
    batch,
    ours: requestCreditsInBatches(items, batch),
    flowable: rsocketFlowableInBatches(items, batch),
    others: [rx4Controlled(items, batch), readableStream(items, batch), zipWithReady(items, batch)],
  }));
  // One interleaved list, so every contender sees the same machine and the same JIT history.
  const rateOf = await measureThroughput(
    items,
    [baseline, unbounded, ...groups.flatMap((group) => [group.ours, group.flowable, ...group.others])],
    rounds,
  );

  const target = targetJudge(options);
  const mapRate = rateOf(baseline);
  const slowdown = (contender: Contender): number => mapRate / rateOf(contender);
  const rows: BenchmarkRow[] = [
    { name: `${baseline.name}, ${items.toLocaleString('en-US')} items`, itemsPerSecond: mapRate },
    {
      name: unbounded.name,
      itemsPerSecond: rateOf(unbounded),
      ratio: target(
        'unbounded credit within 1.2x of map',
        factor(slowdown(unbounded)),
        slowdown(unbounded) <= 1.2,
      ),
    },
  ];
  for (const group of groups) {
    rows.push({
      name: group.ours.name,
      itemsPerSecond: rateOf(group.ours),
      ratio:
        group.batch === 256
          ? target('batches of 256 within 2x of map', factor(slowdown(group.ours)), slowdown(group.ours) <= 2)
          : `${factor(slowdown(group.ours))} map's time`,
    });
    const lead = (peer: Contender): number => rateOf(group.ours) / rateOf(peer);
    const flowableLead = lead(group.flowable);
    rows.push({
      name: `  ${group.flowable.name}`,
      itemsPerSecond: rateOf(group.flowable),
      ratio:
        group.batch === 1
          ? target('ours 2x as fast as this', factor(flowableLead), flowableLead >= 2)
          : target('ours faster than this', factor(flowableLead), flowableLead > 1),
    });
    for (const peer of group.others) {
      rows.push({
        name: `  ${peer.name}`,
        itemsPerSecond: rateOf(peer),
        ratio: target('ours faster than this', factor(lead(peer)), lead(peer) > 1),
      });
    }
  }
  return rows;
}
