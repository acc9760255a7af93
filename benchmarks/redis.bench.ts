// Issue 18's benchmarks on a real redis-server (127.0.0.1, a free port, stopped afterwards), beside
// ioredis used naively: fromRedisStream against a plain XREADGROUP + XACK loop (items/s per consumer,
// and the latency it adds per item at half load), and DistributedCapacity's leases (acquire latency,
// acquire + release pairs/s) against a naive INCR/DECR semaphore. Skipped when redis-server is absent.
import { Redis } from 'ioredis';
import { CreditController } from '../src/index.js';
import { DistributedCapacity, fromRedisStream } from '../src/redis/index.js';
import { type RedisServer, redisServerPath, startRedisServer } from '../test/redis/redisServer.js';
import {
  type BenchmarkOptions,
  type BenchmarkRow,
  type Contender,
  factor,
  measureThroughput,
  targetJudge,
} from './harness.js';

const credit = 8;

function client(server: RedisServer): Redis {
  const redis = new Redis(server.port, '127.0.0.1', { maxRetriesPerRequest: null });
  redis.on('error', () => {});
  return redis;
}

/** Fills `stream` with `count` entries, each stamped with `performance.now()` when it was added. */
async function fill(redis: Redis, stream: string, count: number): Promise<void> {
  for (let from = 0; from < count; from += 1_000) {
    const pipeline = redis.pipeline();
    for (let n = from; n < Math.min(count, from + 1_000); n++) pipeline.xadd(stream, '*', 'n', String(n));
    await pipeline.exec();
  }
}

let groups = 0;
/** A new consumer group reading `stream` from its start: every run reads the same entries afresh. */
async function freshGroup(redis: Redis, stream: string): Promise<string> {
  const group = `g${groups++}`;
  await redis.xgroup('CREATE', stream, group, '0');
  return group;
}

/** Ours: fromRedisStream at `credit`, acknowledging each entry and granting one credit back. */
function consumeOurs(
  redis: Redis,
  stream: string,
  group: string,
  count: number,
  onEntry?: (fields: Readonly<Record<string, string>>) => void,
): Promise<number> {
  const credits = new CreditController({ initial: credit });
  let done = 0;
  return new Promise((resolve, reject) => {
    const subscription = fromRedisStream(
      redis,
      { stream, group, consumer: 'c', createGroup: false, block: 100 },
      credits,
    ).subscribe({
      next: (delivery) => {
        onEntry?.(delivery.fields);
        delivery.ack().then(() => {
          credits.grant(1);
          if (++done === count) {
            subscription.unsubscribe();
            resolve(done);
          }
        }, reject);
      },
      error: reject,
    });
  });
}

/** The engine's own client used naively: read `credit` entries, acknowledge them all, read again. */
async function consumePlain(
  redis: Redis,
  stream: string,
  group: string,
  count: number,
  onEntry?: (fields: Readonly<Record<string, string>>) => void,
): Promise<number> {
  let done = 0;
  while (done < count) {
    const reply = (await redis.call('XREADGROUP', [
      'GROUP',
      group,
      'c',
      'COUNT',
      credit,
      'BLOCK',
      100,
      'STREAMS',
      stream,
      '>',
    ])) as [string, [string, string[]][]][] | null;
    const entries = reply?.[0]?.[1] ?? [];
    await Promise.all(
      entries.map(async ([id, flat]) => {
        onEntry?.({ [flat[0] ?? '']: flat[1] ?? '' });
        await redis.call('XACK', [stream, group, id]);
        done++;
      }),
    );
  }
  return done;
}

type Consume = typeof consumeOurs;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/**
 * Latency per entry (add to delivery, ms) at `rate` entries/s: entries are added in small batches each
 * millisecond, stamped with the time they were sent, and the consumer reads the stamp.
 */
async function latencyAt(
  redis: Redis,
  reader: Redis,
  consume: Consume,
  rate: number,
  count: number,
): Promise<{ p50: number; p99: number }> {
  const stream = `latency${groups}`;
  await redis.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
  const latencies: number[] = [];
  const consumed = consume(reader, stream, 'g', count, (fields) => {
    latencies.push(performance.now() - Number(fields.t));
  });
  groups++;
  const perTick = Math.max(1, Math.round(rate / 1_000));
  for (let sent = 0; sent < count; ) {
    const pipeline = redis.pipeline();
    for (let n = 0; n < perTick && sent < count; n++, sent++)
      pipeline.xadd(stream, '*', 't', String(performance.now()));
    await pipeline.exec();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await consumed;
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function streamRows(server: RedisServer, options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const redis = client(server);
  try {
    const items = options.quick ? 500 : 20_000;
    await fill(redis, 'bench', items);
    const stream = (name: string, consume: Consume): Contender => ({
      name,
      run: async () => consume(redis, 'bench', await freshGroup(redis, 'bench'), items),
    });
    const ours = stream(`fromRedisStream, credit ${credit}, ack + grant(1) per entry`, consumeOurs);
    const plain = stream(`ioredis XREADGROUP COUNT ${credit} + XACK each, in a loop`, consumePlain);
    const rateOf = await measureThroughput(
      items,
      [ours, plain],
      options.quick ? { warmups: 0, timed: 1 } : { warmups: 1, timed: 3 },
    );
    const target = targetJudge(options);
    const share = rateOf(ours) / rateOf(plain);
    const rows: BenchmarkRow[] = [
      {
        name: ours.name,
        itemsPerSecond: rateOf(ours),
        ratio: target('≥ 0.9x plain', factor(share), share >= 0.9),
      },
      { name: `  ${plain.name}`, itemsPerSecond: rateOf(plain) },
    ];

    // Half of what the slower of the two sustains, with the producer in the same process.
    const halfLoad = Math.min(rateOf(ours), rateOf(plain)) / 2;
    const count = options.quick ? 200 : 5_000;
    const latencyOf = async (consume: Consume) => {
      const reader = client(server);
      try {
        return await latencyAt(redis, reader, consume, halfLoad, count);
      } finally {
        reader.disconnect();
      }
    };
    const plainLatency = await latencyOf(consumePlain);
    const ourLatency = await latencyOf(consumeOurs);
    const added = { p50: ourLatency.p50 - plainLatency.p50, p99: ourLatency.p99 - plainLatency.p99 };
    const ms = (value: number): string => `${value.toFixed(3)} ms`;
    rows.push({
      name: `added latency at half load (${Math.round(halfLoad).toLocaleString('en-US')}/s): p50 ${ms(ourLatency.p50)} vs ${ms(plainLatency.p50)}`,
      itemsPerSecond: 0,
      ratio: target('p50 ≤ +0.2 ms', `+${ms(added.p50)}`, added.p50 <= 0.2),
    });
    rows.push({
      name: `  p99 ${ms(ourLatency.p99)} vs ${ms(plainLatency.p99)}`,
      itemsPerSecond: 0,
      ratio: target('p99 ≤ +1 ms', `+${ms(added.p99)}`, added.p99 <= 1),
    });
    return rows;
  } finally {
    redis.disconnect();
  }
}

/** `pairs` acquire + release pairs through DistributedCapacity, one at a time; the acquire latencies. */
async function leasePairs(redis: Redis, pairs: number): Promise<{ seconds: number; latencies: number[] }> {
  const capacity = new DistributedCapacity({
    redis,
    key: `bench${groups++}`,
    capacity: 1_000,
    reuseFor: 0,
    handler: () => undefined,
  });
  await redis.set(`{bench${groups - 1}}:epoch`, 0); // no first-use wait: the benchmark has the server to itself
  let granted: () => void = () => {};
  const subscription = capacity.credits$.subscribe(() => granted());
  const latencies: number[] = [];
  const started = performance.now();
  try {
    for (let pair = 0; pair < pairs; pair++) {
      const asked = performance.now();
      const obtained = new Promise<void>((resolve) => {
        granted = resolve;
      });
      if (!capacity.isReady()) await obtained;
      latencies.push(performance.now() - asked);
      await capacity.do(undefined); // its lease goes back at once (reuseFor 0)
    }
    return { seconds: (performance.now() - started) / 1000, latencies };
  } finally {
    subscription.unsubscribe();
    capacity.close();
  }
}

/** The naive semaphore: INCR, DECR back when over capacity; release is DECR. */
async function naivePairs(redis: Redis, pairs: number): Promise<number> {
  const started = performance.now();
  for (let pair = 0; pair < pairs; pair++) {
    if ((await redis.incr('naive')) > 1_000) await redis.decr('naive');
    await redis.decr('naive');
  }
  return (performance.now() - started) / 1000;
}

async function leaseRows(server: RedisServer, options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const redis = client(server);
  try {
    const pairs = options.quick ? 320 : 20_000;
    if (!options.quick) await leasePairs(redis, 2_000); // warm-up
    const { seconds, latencies } = await leasePairs(redis, pairs);
    const flows = 8;
    const concurrentStarted = performance.now();
    await Promise.all(Array.from({ length: flows }, () => leasePairs(redis, pairs / flows)));
    const concurrent = pairs / ((performance.now() - concurrentStarted) / 1000);
    const naive = await naivePairs(redis, pairs);
    latencies.sort((a, b) => a - b);
    const target = targetJudge(options);
    const p50 = percentile(latencies, 0.5);
    const p99 = percentile(latencies, 0.99);
    return [
      {
        name: 'DistributedCapacity acquire + release pairs, one at a time',
        itemsPerSecond: pairs / seconds,
        ratio: target(
          '≥ 15,000 pairs/s',
          `${Math.round(pairs / seconds).toLocaleString('en-US')}/s`,
          pairs / seconds >= 15_000,
        ),
      },
      {
        name: `  the same, ${flows} instances at once in the process (one client)`,
        itemsPerSecond: concurrent,
        ratio: target(
          '≥ 15,000 pairs/s',
          `${Math.round(concurrent).toLocaleString('en-US')}/s`,
          concurrent >= 15_000,
        ),
      },
      {
        name: '  ioredis INCR/DECR semaphore (no expiry, no fencing, no fairness)',
        itemsPerSecond: pairs / naive,
      },
      {
        name: `  acquire latency p50 ${p50.toFixed(3)} ms`,
        itemsPerSecond: 0,
        ratio: target('p50 ≤ 0.1 ms', `${p50.toFixed(3)} ms`, p50 <= 0.1),
      },
      {
        name: `  acquire latency p99 ${p99.toFixed(3)} ms`,
        itemsPerSecond: 0,
        ratio: target('p99 ≤ 0.5 ms', `${p99.toFixed(3)} ms`, p99 <= 0.5),
      },
    ];
  } finally {
    redis.disconnect();
  }
}

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  if (redisServerPath === undefined) {
    return [{ name: 'skipped: redis-server is not installed', itemsPerSecond: 0 }];
  }
  const server = await startRedisServer();
  try {
    return [...(await streamRows(server, options)), ...(await leaseRows(server, options))];
  } finally {
    await server.stop();
  }
}
