import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { lastValueFrom, map, of, range, toArray } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isBackpressureError, withHandshake } from '../../src/index.js';
import { DistributedCapacity, type DistributedCapacityOptions } from '../../src/redis/index.js';
import { describeWithRedis } from './describeWithRedis.js';
import { eventually, redisClient } from './redisClient.js';
import { type RedisServer, startRedisServer } from './redisServer.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One call through the handshake: waits for a lease, then runs on it. */
function callWhenReady<Req, Res>(pool: DistributedCapacity<Req, Res>, req: Req): Promise<Res> {
  return lastValueFrom(of(req).pipe(withHandshake(pool)));
}

describeWithRedis('DistributedCapacity', () => {
  let server: RedisServer;
  let redis: Redis;
  let capacities: DistributedCapacity<unknown, unknown>[];

  beforeEach(async () => {
    server = await startRedisServer();
    redis = redisClient(server);
    capacities = [];
  });
  afterEach(async () => {
    for (const capacity of capacities) capacity.close();
    redis.disconnect();
    await server.stop();
  });

  function shared<Req, Res>(
    options: Partial<DistributedCapacityOptions<Req, Res>> &
      Pick<DistributedCapacityOptions<Req, Res>, 'handler'>,
  ): DistributedCapacity<Req, Res> {
    const capacity = new DistributedCapacity<Req, Res>({
      redis,
      key: 'downstream',
      capacity: 3,
      leaseTtl: 400,
      epochGuard: false,
      ...options,
    });
    capacities.push(capacity as DistributedCapacity<unknown, unknown>);
    return capacity;
  }

  it('holds the limit across instances: withHandshake over each, never more than capacity at once', async () => {
    let active = 0;
    let peak = 0;
    const handler = async (n: number): Promise<number> => {
      active++;
      peak = Math.max(peak, active);
      await sleep(5);
      active--;
      return n;
    };
    const pools = [shared({ handler }), shared({ handler }), shared({ handler })];
    const results = await Promise.all(
      pools.map((pool) =>
        lastValueFrom(range(0, 30).pipe(withHandshake(pool, { bufferSize: 30 }), toArray())),
      ),
    );
    expect(results.map((values) => values.length)).toEqual([30, 30, 30]);
    expect(peak).toBe(3);
    expect(await eventually(async () => (await redis.zcard('{downstream}:leases')) === 0, 1_000)).toBe(true);
  });

  it('property: for any capacity, reuse and calls over three instances, never more than capacity at once, every call done', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 50 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 6 }), { minLength: 3, maxLength: 3 }),
        async (capacity, reuseFor, durations) => {
          let active = 0;
          let peak = 0;
          const handler = async (ms: number): Promise<number> => {
            active++;
            peak = Math.max(peak, active);
            await sleep(ms);
            active--;
            return ms;
          };
          const key = `property-${run++}`;
          const pools = durations.map(() => shared({ key, capacity, reuseFor, handler }));
          const done = await Promise.all(
            pools.map((pool, index) =>
              lastValueFrom(
                range(0, durations[index]?.length ?? 0).pipe(
                  map((call) => durations[index]?.[call] ?? 0),
                  withHandshake(pool, { bufferSize: 8 }),
                  toArray(),
                ),
              ),
            ),
          );
          expect(done.map((results) => results.length)).toEqual(durations.map((calls) => calls.length));
          expect(peak).toBeLessThanOrEqual(capacity);
          expect(await eventually(async () => (await redis.zcard(`{${key}}:leases`)) === 0, 1_000)).toBe(
            true,
          );
        },
      ),
      { numRuns: 10 },
    );
  }, 30_000);

  it('answers isReady() without I/O, starts one acquire when not ready, and grants a credit per lease', async () => {
    const pool = shared({ handler: async () => 'done' });
    const credits: number[] = [];
    let call: Promise<string> | undefined;
    pool.credits$.subscribe((credit) => {
      credits.push(credit);
      if (pool.isReady()) call ??= pool.do('x');
    });
    expect(pool.isReady()).toBe(false);
    expect(pool.isReady()).toBe(false);
    expect(await eventually(() => credits.length > 0, 1_000)).toBe(true);
    expect(await call).toBe('done');
    expect(credits[0]).toBe(1);
    expect(pool.acquired).toBe(1);
  });

  it('refuses do() without a lease held here, and hands every call a larger fencing token', async () => {
    const tokens: number[] = [];
    const pool = shared({
      capacity: 1,
      reuseFor: 0,
      handler: async (_req: number, _signal, token) => {
        tokens.push(token);
      },
    });
    await expect(pool.do(1)).rejects.toMatchObject({ code: 'ERR_SERVICE_AT_CAPACITY' });
    await lastValueFrom(range(0, 5).pipe(withHandshake(pool, { bufferSize: 5 }), toArray()));
    expect(tokens.length).toBe(5);
    expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
    expect(new Set(tokens).size).toBe(5);
  });

  it('wakes waiting processes in the order they queued, one per freed slot', async () => {
    const order: string[] = [];
    const releases = new Map<string, () => void>();
    const hold = (name: string) => () =>
      new Promise<void>((resolve) => {
        order.push(name);
        releases.set(name, resolve);
      });
    const settings = { capacity: 1, leaseTtl: 5_000, reuseFor: 0 };
    const holder = shared({ ...settings, handler: hold('holder') });
    const running = [callWhenReady(holder, undefined)];
    expect(await eventually(() => holder.active === 1, 1_000)).toBe(true);
    const waiters = ['first', 'second', 'third'].map((name) => shared({ ...settings, handler: hold(name) }));
    for (const pool of waiters) {
      running.push(callWhenReady(pool, undefined));
      await sleep(30); // queued one after the other
    }
    expect(await redis.llen('{downstream}:waiters')).toBe(3);
    for (const [done, next] of [
      ['holder', 'first'],
      ['first', 'second'],
      ['second', 'third'],
    ] as const) {
      releases.get(done)?.();
      expect(await eventually(() => order.includes(next), 1_000)).toBe(true);
      await sleep(50); // and nobody else
      expect(order.at(-1)).toBe(next);
    }
    releases.get('third')?.();
    await Promise.all(running);
    expect(order).toEqual(['holder', 'first', 'second', 'third']);
    // Each waiter was refused once, then woken: no polling storm.
    expect(waiters.map((pool) => pool.refused)).toEqual([1, 1, 1]);
  });

  it('takes a closed instance out of the queue, so the freed slot goes to the next one alive', async () => {
    let release: () => void = () => {};
    const settings = { capacity: 1, leaseTtl: 5_000, reuseFor: 0 };
    const holder = shared({
      ...settings,
      handler: () => new Promise<void>((resolve) => (release = resolve)),
    });
    const held = callWhenReady(holder, undefined);
    expect(await eventually(() => holder.active === 1, 1_000)).toBe(true);
    const gone = shared({ ...settings, handler: async () => 'gone' });
    gone.isReady();
    await sleep(30);
    const next = shared({ ...settings, handler: async () => 'next' });
    const answer = callWhenReady(next, undefined);
    await sleep(30);
    gone.close();
    await sleep(30);
    const released = Date.now();
    release();
    await held;
    expect(await answer).toBe('next');
    expect(Date.now() - released).toBeLessThan(200);
  });

  it('aborts a call whose lease is lost, with ERR_LEASE_LOST, and does not release or reuse it', async () => {
    let aborted: unknown;
    const pool = shared({
      capacity: 1,
      handler: (_req: undefined, signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            resolve();
          });
        }),
    });
    const call = callWhenReady(pool, undefined);
    expect(await eventually(() => pool.active === 1, 1_000)).toBe(true);
    await redis.del('{downstream}:leases');
    await call;
    expect(isBackpressureError(aborted) && aborted.code).toBe('ERR_LEASE_LOST');
    expect(pool.isReady()).toBe(false);
  });

  it('renews the lease of a call that runs longer than its TTL', async () => {
    const pool = shared({
      capacity: 1,
      leaseTtl: 200,
      handler: (_req: undefined, signal) => sleep(700).then(() => signal.aborted),
    });
    expect(await callWhenReady(pool, undefined)).toBe(false);
  });

  it('with the epoch guard, grants nothing on an empty server for one lease TTL', async () => {
    const pool = shared({ epochGuard: true, leaseTtl: 500, handler: async () => {} });
    const started = Date.now();
    await callWhenReady(pool, undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    const again = shared({ epochGuard: true, leaseTtl: 500, handler: async () => {} });
    const second = Date.now();
    await callWhenReady(again, undefined);
    expect(Date.now() - second).toBeLessThan(100);
  });

  it('opens no connection that outlives close(), even when closed while an acquire is under way', async () => {
    const clients = async (): Promise<number> =>
      String(await redis.call('CLIENT', ['LIST']))
        .split('\n')
        .filter((line) => line.startsWith('id=')).length;
    const holder = shared({ capacity: 1, leaseTtl: 2_000, handler: () => sleep(1_000) });
    const holding = callWhenReady(holder, undefined);
    expect(await eventually(() => holder.active === 1, 1_000)).toBe(true);
    const before = await clients();
    const late = shared({ capacity: 1, leaseTtl: 2_000, handler: async () => {} });
    expect(late.isReady()).toBe(false); // its acquire is sent now, and finds the slot taken
    late.close();
    await sleep(600); // longer than the longest wait for a wake-up (250 ms)
    expect(await clients()).toBe(before);
    await holding;
  });

  it('refuses bad options with errors that name them', () => {
    const handler = async (): Promise<void> => {};
    const good = { redis, key: 'k', capacity: 1, handler };
    expect(() => new DistributedCapacity({ ...good, redis: {} as Redis })).toThrow(/options.redis/);
    expect(() => new DistributedCapacity({ ...good, key: '' })).toThrow(/options.key/);
    expect(() => new DistributedCapacity({ ...good, capacity: 0 })).toThrow(RangeError);
    expect(() => new DistributedCapacity({ ...good, capacity: Number.POSITIVE_INFINITY })).toThrow(
      RangeError,
    );
    expect(() => new DistributedCapacity({ ...good, leaseTtl: '5' as never })).toThrow(TypeError);
    expect(() => new DistributedCapacity({ ...good, reuseFor: -1 })).toThrow(/options.reuseFor/);
    expect(() => new DistributedCapacity({ ...good, capacty: 2 } as never)).toThrow(/options.capacty/);
    expect(() => new DistributedCapacity({ ...good, handler: 5 as never })).toThrow(/options.handler/);
  });
});
