// Issue 4's throughput benchmark: withHandshake over a TrackedService beside mergeMap(fn, capacity),
// p-limit and a cockatiel bulkhead, all limiting the same immediately resolving work to `capacity`
// calls at once.
import { bulkhead } from 'cockatiel';
import pLimit from 'p-limit';
import { count, lastValueFrom, mergeMap, range } from 'rxjs';
import { TrackedService, withHandshake } from '../src/index.js';
import {
  type BenchmarkOptions,
  type BenchmarkRow,
  type Contender,
  factor,
  measureThroughput,
  targetJudge,
} from './harness.js';

const capacities = [1, 16, 256] as const;

/** The work every contender limits: resolves at once (a microtask), so only the limiting costs. */
async function work(item: number): Promise<number> {
  return item;
}

/**
 * A workload: `bursts` floods of `burstSize` items, each flood pushed at once (a synchronous range)
 * and finished before the next. Bursts keep every queue short: mergeMap and the bulkhead queue with
 * `Array#shift`, which turns quadratic once a queue outgrows V8's regular heap objects (about 16k
 * items; at 200k queued, mergeMap does 0.05M items/s and the bulkhead 0.01M), and that would measure
 * their queue rather than their concurrency limiting.
 */
interface Workload {
  readonly burstSize: number;
  readonly bursts: number;
}

function inBursts(name: string, workload: Workload, burst: () => Promise<number>): Contender {
  return {
    name,
    run: async () => {
      let delivered = 0;
      for (let round = 0; round < workload.bursts; round++) delivered += await burst();
      return delivered;
    },
  };
}

/** Ours and its peers at one capacity: mergeMap first, the one the target compares ours with. */
interface Group {
  readonly ours: Contender;
  readonly peers: readonly [mergeMap: Contender, ...others: Contender[]];
}

function groupAt(capacity: number, workload: Workload): Group {
  const { burstSize } = workload;
  return {
    ours: inBursts(`withHandshake(TrackedService), capacity ${capacity}`, workload, () => {
      const service = new TrackedService({ capacity, handler: work });
      return lastValueFrom(
        range(0, burstSize).pipe(withHandshake(service, { bufferSize: burstSize }), count()),
      );
    }),
    peers: [
      inBursts(`mergeMap(work, ${capacity})`, workload, () =>
        lastValueFrom(range(0, burstSize).pipe(mergeMap(work, capacity), count())),
      ),
      inBursts(`p-limit(${capacity})`, workload, async () => {
        const limit = pLimit(capacity);
        const calls: Promise<number>[] = [];
        for (let item = 0; item < burstSize; item++) calls.push(limit(work, item));
        return (await Promise.all(calls)).length;
      }),
      inBursts(`cockatiel bulkhead(${capacity})`, workload, async () => {
        const policy = bulkhead(capacity, burstSize);
        const calls: Promise<number>[] = [];
        for (let item = 0; item < burstSize; item++) calls.push(policy.execute(() => work(item)));
        return (await Promise.all(calls)).length;
      }),
    ],
  };
}

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const workload: Workload = options.quick
    ? { burstSize: 500, bursts: 2 }
    : { burstSize: 10_000, bursts: 20 };
  const items = workload.burstSize * workload.bursts;
  const rounds = options.quick ? { warmups: 0, timed: 1 } : { warmups: 1, timed: 5 };
  const groups = capacities.map((capacity) => groupAt(capacity, workload));
  const rateOf = await measureThroughput(
    items,
    groups.flatMap((group) => [group.ours, ...group.peers]),
    rounds,
  );

  const target = targetJudge(options);
  return groups.flatMap(({ ours, peers }) => {
    const behindMergeMap = rateOf(peers[0]) / rateOf(ours);
    return [
      {
        name: `${ours.name}, ${workload.bursts} bursts of ${workload.burstSize.toLocaleString('en-US')}`,
        itemsPerSecond: rateOf(ours),
        ratio: target('within 1.5x of mergeMap', factor(behindMergeMap), behindMergeMap <= 1.5),
      },
      ...peers.map((peer) => ({
        name: `  ${peer.name}`,
        itemsPerSecond: rateOf(peer),
        ratio: `ours ${factor(rateOf(ours) / rateOf(peer))} as fast`,
      })),
    ];
  });
}
