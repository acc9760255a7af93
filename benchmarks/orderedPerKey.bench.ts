// Issue 17's order per key: withHandshake over a TrackedService (capacity 16) with results in order
// within each of 16 keys, beside ordered: true and the plain-RxJS way, groupBy(key) + concatMap per key
// (which has no limit across keys but the number of keys), over the same immediately resolving work.
import { concatMap, count, groupBy, lastValueFrom, mergeMap, range } from 'rxjs';
import { TrackedService, type WithHandshakeOptions, withHandshake } from '../src/index.js';
import {
  type BenchmarkOptions,
  type BenchmarkRow,
  type Contender,
  factor,
  measureThroughput,
} from './harness.js';

const keys = 16;
const capacity = 16;
const keyOf = (item: number) => item % keys;

/** Resolves at once (a microtask), so only the ordering costs. */
async function work(item: number): Promise<number> {
  return item;
}

function inBursts(name: string, bursts: number, burst: () => Promise<number>): Contender {
  return {
    name,
    run: async () => {
      let delivered = 0;
      for (let round = 0; round < bursts; round++) delivered += await burst();
      return delivered;
    },
  };
}

function handshake(
  name: string,
  burstSize: number,
  bursts: number,
  options: WithHandshakeOptions<number>,
): Contender {
  return inBursts(name, bursts, () => {
    const service = new TrackedService({ capacity, handler: work });
    return lastValueFrom(
      range(0, burstSize).pipe(withHandshake(service, { bufferSize: burstSize, ...options }), count()),
    );
  });
}

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const [burstSize, bursts] = options.quick ? [500, 2] : [10_000, 20];
  const items = burstSize * bursts;
  const perKey = handshake(
    `withHandshake ordered: 'per-key' (${keys} keys), capacity ${capacity}`,
    burstSize,
    bursts,
    {
      ordered: 'per-key',
      key: keyOf,
    },
  );
  const total = handshake('  withHandshake ordered: true', burstSize, bursts, { ordered: true });
  const grouped = inBursts('  groupBy(key) + concatMap(work) per key', bursts, () =>
    lastValueFrom(
      range(0, burstSize).pipe(
        groupBy(keyOf),
        mergeMap((group) => group.pipe(concatMap(work))),
        count(),
      ),
    ),
  );
  const rateOf = await measureThroughput(
    items,
    [perKey, total, grouped],
    options.quick ? { warmups: 0, timed: 1 } : { warmups: 1, timed: 5 },
  );
  return [
    {
      name: `${perKey.name}, ${bursts} bursts of ${burstSize.toLocaleString('en-US')}`,
      itemsPerSecond: rateOf(perKey),
      ratio: `${factor(rateOf(total) / rateOf(perKey))} ordered: true's cost`,
    },
    { name: total.name, itemsPerSecond: rateOf(total) },
    {
      name: grouped.name,
      itemsPerSecond: rateOf(grouped),
      ratio: `ours ${factor(rateOf(perKey) / rateOf(grouped))} as fast`,
    },
  ];
}
