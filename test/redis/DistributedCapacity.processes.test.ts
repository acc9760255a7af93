import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { lastValueFrom, of } from 'rxjs';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { withHandshake } from '../../src/index.js';
import { DistributedCapacity } from '../../src/redis/index.js';
import { describeWithRedis } from './describeWithRedis.js';
import { redisClient } from './redisClient.js';
import { type RedisServer, startRedisServer } from './redisServer.js';
import { killWorkers, removeWorkerBundle, spawnWorker, type Worker } from './spawnWorker.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A downstream on 127.0.0.1 that holds each request `workMs` and counts how many it holds at once. */
interface Downstream {
  readonly url: string;
  readonly served: number;
  readonly peak: number;
  /**
   * The share of `capacity` busy since the downstream first held `capacity` requests at once: the
   * integral of requests held over time, over `capacity` x the time since.
   */
  utilisation(capacity: number): number;
  close(): Promise<void>;
}

async function downstream(workMs: number): Promise<Downstream> {
  let active = 0;
  let peak = 0;
  let served = 0;
  let area = 0;
  let changed = performance.now();
  let saturated: { readonly at: number; readonly area: number } | undefined;
  const change = (by: number): void => {
    const now = performance.now();
    area += active * (now - changed);
    changed = now;
    active += by;
  };
  const server: Server = createServer((req, res) => {
    if (req.url === '/warm-up') {
      res.end('ok');
      return;
    }
    change(1);
    peak = Math.max(peak, active);
    if (active === 8) saturated ??= { at: changed, area };
    setTimeout(() => {
      change(-1);
      served++;
      res.end('ok');
    }, workMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    get served() {
      return served;
    },
    get peak() {
      return peak;
    },
    utilisation: (capacity) => {
      change(0);
      return saturated === undefined ? 0 : (area - saturated.area) / (capacity * (changed - saturated.at));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Counts {
  readonly calls: number;
  readonly acquired: number;
  readonly refused: number;
}

async function countsOf(worker: Worker, timeout: number): Promise<Counts> {
  return JSON.parse((await worker.line('done ', timeout)).slice('done '.length)) as Counts;
}

describeWithRedis('DistributedCapacity across processes', () => {
  let server: RedisServer;
  let redis: Redis;
  let service: Downstream | undefined;

  beforeEach(async () => {
    server = await startRedisServer();
    redis = redisClient(server);
    // The epoch guard's first-use wait, once for all processes, before they start.
    await redis.set('{downstream}:epoch', 0);
  });
  afterAll(removeWorkerBundle);
  afterEach(async () => {
    await killWorkers();
    await service?.close();
    service = undefined;
    redis.disconnect();
    await server.stop();
  });

  it('four processes in bursts into a downstream of capacity 8 (200 ms a call): never more than 8, all served, busy ≥ 90%, ≤ 1 refusal per lease', async () => {
    service = await downstream(200);
    const settings = {
      mode: 'capacity',
      port: server.port,
      capacity: 8,
      leaseTtl: 2_000,
      epochGuard: true,
      downstream: service.url,
      bursts: 2,
      burstSize: 12,
    } as const;
    const workers = await Promise.all([1, 2, 3, 4].map(() => spawnWorker(settings)));
    await Promise.all(workers.map((worker) => worker.line('ready')));
    await redis.set('go', 1);
    // Saturated while all four have work: from the first moment 8 calls ran until the first process is done.
    await Promise.race(workers.map((worker) => worker.line('done ', 20_000)));
    const utilisation = service.utilisation(8);
    const counts = await Promise.all(workers.map((worker) => countsOf(worker, 20_000)));
    expect(counts.map((count) => count.calls)).toEqual([24, 24, 24, 24]);
    expect(service.served).toBe(96);
    expect(service.peak).toBe(8);
    expect(utilisation).toBeGreaterThanOrEqual(0.9);
    const acquired = counts.reduce((sum, count) => sum + count.acquired, 0);
    const refused = counts.reduce((sum, count) => sum + count.refused, 0);
    expect(refused / acquired).toBeLessThanOrEqual(1);
  }, 30_000);

  it('frees the leases of a killed holder within the TTL + 100 ms', async () => {
    const leaseTtl = 1_000;
    const holder = await spawnWorker({
      mode: 'capacity',
      port: server.port,
      capacity: 3,
      leaseTtl,
      epochGuard: true,
      downstream: 'http://127.0.0.1:9/',
      bursts: 1,
      burstSize: 3,
      hang: true,
    });
    await redis.set('go', 1);
    await holder.line('holding');
    await sleep(leaseTtl / 2); // renewed once at least
    while (holder.lines.filter((line) => line === 'holding').length < 3) await sleep(10);
    holder.child.kill('SIGKILL');
    await holder.exited;
    const killedAt = Date.now();
    const taker = new DistributedCapacity({
      redis,
      key: 'downstream',
      capacity: 3,
      leaseTtl,
      handler: async () => Date.now(),
    });
    try {
      const started = await Promise.all([1, 2, 3].map(() => lastValueFrom(of(0).pipe(withHandshake(taker)))));
      expect(Math.max(...started) - killedAt).toBeLessThanOrEqual(leaseTtl + 100);
      expect(Math.min(...started) - killedAt).toBeGreaterThan(leaseTtl / 4);
    } finally {
      taker.close();
    }
  }, 20_000);

  /** Four processes calling a downstream of capacity 8 while Redis restarts without persistence. */
  async function restartMidway(epochGuard: boolean): Promise<number> {
    service = await downstream(1_000);
    const settings = {
      mode: 'capacity',
      port: server.port,
      capacity: 8,
      leaseTtl: 1_000,
      epochGuard,
      downstream: service.url,
      bursts: 1,
      burstSize: 4,
    } as const;
    const workers = await Promise.all([1, 2, 3, 4].map(() => spawnWorker(settings)));
    await Promise.all(workers.map((worker) => worker.line('ready')));
    await redis.set('go', 1);
    await sleep(300); // the first 8 calls run, with 700 ms to go
    await server.restart({ kill: true });
    await Promise.all(workers.map((worker) => countsOf(worker, 20_000)));
    return service.peak;
  }

  it('after a restart of Redis without persistence, the epoch guard holds the limit (peak ≤ 8)', async () => {
    expect(await restartMidway(true)).toBeLessThanOrEqual(8);
  }, 30_000);

  it('without the epoch guard, the same restart exceeds the limit: the guard is what holds it', async () => {
    expect(await restartMidway(false)).toBeGreaterThan(8);
  }, 30_000);
});
