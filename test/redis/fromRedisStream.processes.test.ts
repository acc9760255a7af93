import type { Redis } from 'ioredis';
import { mergeMap, type Subscription } from 'rxjs';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { CreditController } from '../../src/index.js';
import { fromRedisStream } from '../../src/redis/index.js';
import { describeWithRedis } from './describeWithRedis.js';
import { addEntries, eventually, pendingByConsumer, redisClient } from './redisClient.js';
import { type RedisServer, startRedisServer } from './redisServer.js';
import { killWorkers, removeWorkerBundle, spawnWorker } from './spawnWorker.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Samples the pending count of each consumer every 10 ms until `until` resolves; returns the peaks. */
async function samplePending(redis: Redis, until: () => Promise<boolean>): Promise<Map<string, number>> {
  const peaks = new Map<string, number>();
  while (!(await until())) {
    for (const [consumer, count] of await pendingByConsumer(redis, 'jobs', 'workers')) {
      peaks.set(consumer, Math.max(peaks.get(consumer) ?? 0, count));
    }
    await sleep(10);
  }
  return peaks;
}

/** The hash `processed` as numbers: entry n → how many times it was processed. */
async function processed(redis: Redis): Promise<Map<string, number>> {
  const counts = await redis.hgetall('processed');
  return new Map(Object.entries(counts).map(([n, times]) => [n, Number(times)]));
}

describeWithRedis('fromRedisStream across processes', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeEach(async (context) => {
    server = await startRedisServer({ appendonly: context.task.name.includes('append-only') });
    redis = redisClient(server);
  });
  afterAll(removeWorkerBundle);
  afterEach(async () => {
    await killWorkers();
    redis.disconnect();
    await server.stop();
  });

  const worker = (consumer: string, credit: number, claimIdle = 2_000) =>
    spawnWorker({ mode: 'stream', port: server.port, consumer, credit, workMs: 5, claimIdle });

  it('two consumers of credit 8 and 4 process 6,000 entries: pending never above credit, each once, all acknowledged', async () => {
    await redis.xgroup('CREATE', 'jobs', 'workers', '0', 'MKSTREAM');
    await addEntries(redis, 'jobs', 6_000);
    const workers = await Promise.all([worker('eight', 8), worker('four', 4)]);
    const deadline = Date.now() + 20_000;
    const peaks = await samplePending(
      redis,
      async () => (await redis.hlen('processed')) === 6_000 || Date.now() > deadline,
    );
    const counts = await processed(redis);
    expect(counts.size).toBe(6_000);
    expect([...counts.values()].every((times) => times === 1)).toBe(true);
    expect(peaks.get('eight')).toBeLessThanOrEqual(8);
    expect(peaks.get('four')).toBeLessThanOrEqual(4);
    expect(peaks.get('eight')).toBeGreaterThan(0);
    expect(
      await eventually(async () => (await pendingByConsumer(redis, 'jobs', 'workers')).size === 0, 1_000),
    ).toBe(true);
    expect(workers.every((one) => one.lines.includes('ready'))).toBe(true);
  }, 30_000);

  it('a consumer killed mid-run strands at most its credit, and the other reclaims all of it within claimIdle + 1 s', async () => {
    await redis.xgroup('CREATE', 'jobs', 'workers', '0', 'MKSTREAM');
    await addEntries(redis, 'jobs', 1_000);
    const claimIdle = 500;
    const [victim] = await Promise.all([worker('victim', 8, claimIdle), worker('survivor', 4, claimIdle)]);
    expect(await eventually(async () => (await redis.hlen('processed')) >= 200, 10_000)).toBe(true);
    victim?.child.kill('SIGKILL');
    await victim?.exited;
    const killedAt = Date.now();
    const stranded = (await pendingByConsumer(redis, 'jobs', 'workers')).get('victim') ?? 0;
    expect(stranded).toBeLessThanOrEqual(8);
    expect(
      await eventually(
        async () => !(await pendingByConsumer(redis, 'jobs', 'workers')).has('victim'),
        claimIdle + 1_000,
      ),
    ).toBe(true);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(claimIdle + 1_000);
    expect(await eventually(async () => (await redis.hlen('processed')) === 1_000, 10_000)).toBe(true);
    expect(
      await eventually(async () => (await pendingByConsumer(redis, 'jobs', 'workers')).size === 0, 2_000),
    ).toBe(true);
    // Processed twice only if the victim did the work and died before its ack: at most its credit.
    const twice = [...(await processed(redis)).values()].filter((times) => times > 1).length;
    expect(twice).toBeLessThanOrEqual(8);
  }, 30_000);

  it('loses nothing when Redis stops answering for 3 s, and resumes', async () => {
    await redis.xgroup('CREATE', 'jobs', 'workers', '0', 'MKSTREAM');
    await addEntries(redis, 'jobs', 500);
    await Promise.all([worker('eight', 8), worker('four', 4)]);
    expect(await eventually(async () => (await redis.hlen('processed')) >= 100, 10_000)).toBe(true);
    server.signal('SIGSTOP');
    await sleep(3_000);
    server.signal('SIGCONT');
    expect(await eventually(async () => (await redis.hlen('processed')) === 500, 10_000)).toBe(true);
    expect(
      await eventually(async () => (await pendingByConsumer(redis, 'jobs', 'workers')).size === 0, 1_000),
    ).toBe(true);
    // Redis counts the stopped time as idle: entries in hand for longer than claimIdle by then may be
    // reclaimed by the other consumer and processed twice (at-least-once), never more than the credit.
    const counts = [...(await processed(redis)).values()];
    expect(counts.every((times) => times >= 1)).toBe(true);
    expect(counts.filter((times) => times > 1).length).toBeLessThanOrEqual(12);
  }, 30_000);

  it('keeps counts exact across a restart of Redis with the append-only file', async () => {
    await redis.xgroup('CREATE', 'jobs', 'workers', '0', 'MKSTREAM');
    await addEntries(redis, 'jobs', 1_000);
    await Promise.all([worker('eight', 8, 500), worker('four', 4, 500)]);
    expect(await eventually(async () => (await redis.hlen('processed')) >= 200, 10_000)).toBe(true);
    await server.restart({ kill: true });
    expect(await eventually(async () => (await redis.hlen('processed')) === 1_000, 15_000)).toBe(true);
    expect(
      await eventually(async () => (await pendingByConsumer(redis, 'jobs', 'workers')).size === 0, 3_000),
    ).toBe(true);
    expect(await redis.xlen('jobs')).toBe(1_000);
    // An entry whose ack the crash cut off is processed again (at-least-once): never more than the credit.
    const again = [...(await processed(redis)).values()].filter((times) => times > 1).length;
    expect(again).toBeLessThanOrEqual(12);
  }, 30_000);

  it('a consumer stopped past claimIdle learns from its fenced ack() that it lost the entry: the effect happens once', async () => {
    await redis.xgroup('CREATE', 'jobs', 'workers', '0', 'MKSTREAM');
    await addEntries(redis, 'jobs', 1);
    const claimIdle = 300;
    const stalled = await spawnWorker({
      mode: 'stream',
      port: server.port,
      consumer: 'stalled',
      credit: 1,
      workMs: 300,
      claimIdle,
      fenced: true,
      commitAfterAck: true,
    });
    await stalled.line('started');
    stalled.child.kill('SIGSTOP');
    // The survivor reclaims it once idle past claimIdle, does the work and commits it.
    let subscription: Subscription | undefined;
    try {
      subscription = fromRedisStream(
        redis,
        { stream: 'jobs', group: 'workers', consumer: 'survivor', claimIdle, fenced: true },
        new CreditController({ initial: 1 }),
      )
        .pipe(
          mergeMap(async (delivery) => {
            if (await delivery.ack()) await redis.rpush('effects', delivery.id);
          }),
        )
        .subscribe();
      expect(await eventually(async () => (await redis.llen('effects')) === 1, 3_000)).toBe(true);
    } finally {
      subscription?.unsubscribe();
      stalled.child.kill('SIGCONT');
    }
    expect(await eventually(async () => (await redis.llen('stale')) === 1, 3_000)).toBe(true);
    expect(await redis.lrange('effects', 0, -1)).toEqual(await redis.lrange('stale', 0, -1));
    expect(await redis.llen('effects')).toBe(1);
  }, 20_000);
});
