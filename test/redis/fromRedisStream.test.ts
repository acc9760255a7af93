import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { firstValueFrom, Subject, type Subscription, take, throwError, toArray } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CreditController, TrackedService } from '../../src/index.js';
import {
  DistributedCapacity,
  fromRedisStream,
  type RedisDeadLetter,
  type RedisStreamDelivery,
} from '../../src/redis/index.js';
import { describeWithRedis } from './describeWithRedis.js';
import { addEntries, eventually, pendingByConsumer, redisClient } from './redisClient.js';
import { type RedisServer, startRedisServer } from './redisServer.js';

const base = { stream: 'jobs', group: 'workers', consumer: 'a' } as const;

describeWithRedis('fromRedisStream', () => {
  let server: RedisServer;
  let redis: Redis;
  let subscriptions: Subscription[];

  beforeEach(async () => {
    server = await startRedisServer();
    redis = redisClient(server);
    subscriptions = [];
  });
  afterEach(async () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
    redis.disconnect();
    await server.stop();
  });

  function collect(source: ReturnType<typeof fromRedisStream>): RedisStreamDelivery[] {
    const seen: RedisStreamDelivery[] = [];
    subscriptions.push(source.subscribe({ next: (delivery) => seen.push(delivery) }));
    return seen;
  }

  it('reads only as many entries as credit was granted, and the server holds exactly those pending', async () => {
    await addEntries(redis, 'jobs', 20);
    const credits = new CreditController({ initial: 5 });
    const seen = collect(fromRedisStream(redis, base, credits));
    expect(await eventually(() => seen.length === 5, 2_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.length).toBe(5);
    expect((await pendingByConsumer(redis, 'jobs', 'workers')).get('a')).toBe(5);
    expect(seen.map((delivery) => delivery.fields.n)).toEqual(['0', '1', '2', '3', '4']);
    expect(seen[0]).toMatchObject({ deliveries: 1, reclaimed: false });

    credits.grant(15);
    expect(await eventually(() => seen.length === 20, 2_000)).toBe(true);
    expect(await Promise.all(seen.map((delivery) => delivery.ack()))).toEqual(Array(20).fill(true));
    expect(await seen[0]?.ack()).toBe(false);
    expect((await pendingByConsumer(redis, 'jobs', 'workers')).size).toBe(0);
  });

  it('delivers the fields as a plain object, a field named __proto__ included', async () => {
    await redis.xadd('jobs', '*', '__proto__', 'x', 'n', '1');
    const seen = collect(fromRedisStream(redis, base, new CreditController({ initial: 1 })));
    expect(await eventually(() => seen.length === 1, 2_000)).toBe(true);
    const fields = seen[0]?.fields;
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.entries(fields ?? {})).toEqual([
      ['__proto__', 'x'],
      ['n', '1'],
    ]);
  });

  it('property: whatever the grants, delivers exactly min(entries, credit), and the server holds that many pending', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 5 }),
        async (entries, grants) => {
          const stream = `property-${run++}`;
          await addEntries(redis, stream, entries);
          const credits = new CreditController();
          let outstanding = 0;
          let overdrawn = false;
          const seen: RedisStreamDelivery[] = [];
          const subscription = fromRedisStream(redis, { ...base, stream }, credits).subscribe((delivery) => {
            outstanding--;
            if (outstanding < 0) overdrawn = true;
            seen.push(delivery);
          });
          try {
            let granted = 0;
            for (const grant of grants) {
              granted += grant;
              outstanding += grant;
              credits.grant(grant);
              const expected = Math.min(entries, granted);
              expect(await eventually(() => seen.length === expected, 2_000)).toBe(true);
            }
            await new Promise((resolve) => setTimeout(resolve, 30));
            expect(overdrawn).toBe(false);
            expect(seen.length).toBe(Math.min(entries, granted));
            expect((await pendingByConsumer(redis, stream, 'workers')).get('a') ?? 0).toBe(seen.length);
          } finally {
            subscription.unsubscribe();
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 30_000);

  it('waits in a blocking read for new entries and delivers them as they are added', async () => {
    const seen = collect(fromRedisStream(redis, base, new CreditController({ initial: 10 })));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await addEntries(redis, 'jobs', 3);
    expect(await eventually(() => seen.length === 3, 2_000)).toBe(true);
  });

  it('takes its credit from a TrackedService, so the entries in hand never exceed the free room', async () => {
    await addEntries(redis, 'jobs', 30);
    const service = new TrackedService({
      capacity: 3,
      handler: async (delivery: RedisStreamDelivery) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        await delivery.ack();
      },
    });
    let peak = 0;
    let done = 0;
    subscriptions.push(
      fromRedisStream(redis, base, service).subscribe((delivery) => {
        void service.do(delivery).then(() => done++);
        peak = Math.max(peak, service.active);
      }),
    );
    const sampled: number[] = [];
    const finished = await eventually(async () => {
      sampled.push((await pendingByConsumer(redis, 'jobs', 'workers')).get('a') ?? 0);
      return done === 30;
    }, 5_000);
    expect(finished).toBe(true);
    expect(peak).toBeLessThanOrEqual(3);
    expect(Math.max(...sampled)).toBeLessThanOrEqual(3);
  });

  it('reclaims entries a dead consumer left idle, within credit, and says they were reclaimed', async () => {
    await addEntries(redis, 'jobs', 6);
    await redis.xgroup('CREATE', 'jobs', 'workers', '0');
    await redis.call('XREADGROUP', ['GROUP', 'workers', 'dead', 'COUNT', 6, 'STREAMS', 'jobs', '>']);
    const credits = new CreditController({ initial: 4 });
    const seen = collect(fromRedisStream(redis, { ...base, claimIdle: 200 }, credits));
    expect(await eventually(() => seen.length === 4, 2_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.length).toBe(4);
    expect(seen.every((delivery) => delivery.reclaimed && delivery.deliveries === 2)).toBe(true);
    credits.grant(10);
    expect(await eventually(() => seen.length === 6, 2_000)).toBe(true);
    const pending = await pendingByConsumer(redis, 'jobs', 'workers');
    expect([pending.get('a'), pending.get('dead')]).toEqual([6, undefined]);
  });

  it('moves an entry delivered more than maxDeliveries times to the dead-letter stream and reports it', async () => {
    await addEntries(redis, 'jobs', 1);
    const dead: RedisDeadLetter[] = [];
    const seen = collect(
      fromRedisStream(
        redis,
        { ...base, claimIdle: 50, maxDeliveries: 2, onDeadLetter: (entry) => dead.push(entry) },
        new CreditController({ initial: 10 }),
      ),
    );
    // Never acknowledged: redelivered after 50 ms idle, once; the third time it is dead.
    expect(await eventually(() => dead.length === 1, 3_000)).toBe(true);
    expect(seen.map((delivery) => delivery.deliveries)).toEqual([1, 2]);
    expect(dead[0]).toMatchObject({ id: seen[0]?.id, deliveries: 3, fields: { n: '0' } });
    const letters = (await redis.xrange('jobs:dead', '-', '+')) as [string, string[]][];
    expect(letters.map(([, fields]) => fields)).toEqual([
      ['x-source-id', seen[0]?.id, 'x-deliveries', '3', 'x-group', 'workers', 'n', '0'],
    ]);
    expect((await pendingByConsumer(redis, 'jobs', 'workers')).size).toBe(0);
  });

  it('fenced: ack() resolves false once another consumer reclaimed the entry; unfenced it acknowledges anyway', async () => {
    await addEntries(redis, 'jobs', 2);
    const fenced = collect(
      fromRedisStream(redis, { ...base, fenced: true }, new CreditController({ initial: 1 })),
    );
    const plain = collect(
      fromRedisStream(
        redis,
        { ...base, consumer: 'b', claimIdle: Number.POSITIVE_INFINITY },
        new CreditController({ initial: 1 }),
      ),
    );
    expect(await eventually(() => fenced.length === 1 && plain.length === 1, 2_000)).toBe(true);
    await redis.call('XCLAIM', ['jobs', 'workers', 'thief', 0, fenced[0]?.id ?? '', plain[0]?.id ?? '']);
    expect(await fenced[0]?.ack()).toBe(false);
    expect(await plain[0]?.ack()).toBe(true);
    expect((await pendingByConsumer(redis, 'jobs', 'workers')).get('thief')).toBe(1);
  });

  it('nack() hands the entry back, to be delivered again at once with its delivery counted', async () => {
    await addEntries(redis, 'jobs', 1);
    const seen = collect(fromRedisStream(redis, base, new CreditController({ initial: 2 })));
    expect(await eventually(() => seen.length === 1, 2_000)).toBe(true);
    expect(await seen[0]?.nack()).toBe(true);
    expect(await eventually(() => seen.length === 2, 2_000)).toBe(true);
    expect(seen[1]).toMatchObject({ id: seen[0]?.id, deliveries: 2, reclaimed: true });
  });

  it('hands back the entries of a read that arrive after unsubscribing, for any consumer to take at once', async () => {
    await addEntries(redis, 'jobs', 5);
    const firstTwo = await firstValueFrom(
      fromRedisStream(redis, base, new CreditController({ initial: 5 })).pipe(take(2), toArray()),
    );
    expect(firstTwo.map((delivery) => delivery.fields.n)).toEqual(['0', '1']);
    const seen = collect(
      fromRedisStream(
        redis,
        { ...base, consumer: 'b', claimIdle: 60_000 },
        new CreditController({ initial: 10 }),
      ),
    );
    expect(await eventually(() => seen.length === 3, 2_000)).toBe(true);
    expect(seen.map((delivery) => [delivery.fields.n, delivery.deliveries])).toEqual([
      ['2', 1],
      ['3', 1],
      ['4', 1],
    ]);
  });

  it('ends a waiting read at once on unsubscribe and closes its connection', async () => {
    const clients = async (): Promise<number> =>
      String(await redis.call('CLIENT', ['LIST']))
        .trim()
        .split('\n').length;
    const before = await clients();
    const subscription = fromRedisStream(
      redis,
      { ...base, block: 60_000 },
      new CreditController({ initial: 1 }),
    ).subscribe();
    expect(await eventually(async () => (await clients()) === before + 1, 2_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    subscription.unsubscribe();
    expect(await eventually(async () => (await clients()) === before, 500)).toBe(true);
  });

  it('opens no connection when the credit signal fails at once', async () => {
    const clients = async (): Promise<number> =>
      String(await redis.call('CLIENT', ['LIST']))
        .trim()
        .split('\n').length;
    const before = await clients();
    await expect(
      firstValueFrom(
        fromRedisStream(
          redis,
          base,
          throwError(() => new Error('no credit source')),
        ),
      ),
    ).rejects.toThrow('no credit source');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await clients()).toBe(before);
  });

  it('completes once the credit signal has ended and its credit is spent, and errors with it', async () => {
    await addEntries(redis, 'jobs', 5);
    const credits = new Subject<number>();
    const all = firstValueFrom(fromRedisStream(redis, base, credits).pipe(toArray()));
    credits.next(3);
    credits.complete();
    expect((await all).length).toBe(3);
    const failing = new Subject<number>();
    const failed = firstValueFrom(fromRedisStream(redis, { ...base, consumer: 'b' }, failing));
    failing.error(new Error('no more credit'));
    await expect(failed).rejects.toThrow('no more credit');
  });

  it('errors when the group is missing and createGroup is false, and on a key of the wrong type', async () => {
    await expect(
      firstValueFrom(
        fromRedisStream(redis, { ...base, createGroup: false }, new CreditController({ initial: 1 })),
      ),
    ).rejects.toThrow(/NOGROUP/);
    await redis.set('plain', 'x');
    await expect(
      firstValueFrom(
        fromRedisStream(redis, { ...base, stream: 'plain' }, new CreditController({ initial: 1 })),
      ),
    ).rejects.toThrow(/WRONGTYPE/);
  });

  it('resumes after Redis stops answering for a while, losing nothing', async () => {
    await addEntries(redis, 'jobs', 10);
    const credits = new CreditController({ initial: 5 });
    const seen = collect(fromRedisStream(redis, base, credits));
    expect(await eventually(() => seen.length === 5, 2_000)).toBe(true);
    server.signal('SIGSTOP');
    credits.grant(5);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    server.signal('SIGCONT');
    expect(await eventually(() => seen.length === 10, 3_000)).toBe(true);
    expect(new Set(seen.map((delivery) => delivery.id)).size).toBe(10);
  });

  it('creates the group again after a restart that lost the data, and reads what comes next', async () => {
    const seen = collect(fromRedisStream(redis, base, new CreditController({ initial: 10 })));
    await addEntries(redis, 'jobs', 2);
    expect(await eventually(() => seen.length === 2, 2_000)).toBe(true);
    await server.restart({ kill: true });
    await addEntries(redis, 'jobs', 3, 100);
    expect(await eventually(() => seen.length === 5, 5_000)).toBe(true);
    expect(seen.slice(2).map((delivery) => delivery.fields.n)).toEqual(['100', '101', '102']);
  });

  it('refuses bad arguments with errors that name them', () => {
    const credits = new CreditController();
    expect(() => fromRedisStream({} as Redis, base, credits)).toThrow(TypeError);
    expect(() => fromRedisStream(redis, { ...base, stream: '' }, credits)).toThrow(/options.stream/);
    expect(() => fromRedisStream(redis, { ...base, claimIdle: 0 }, credits)).toThrow(RangeError);
    expect(() => fromRedisStream(redis, { ...base, maxDeliveries: 1.5 }, credits)).toThrow(
      /options.maxDeliveries/,
    );
    expect(() => fromRedisStream(redis, { ...base, fenced: 'yes' } as never, credits)).toThrow(
      /options.fenced/,
    );
    expect(() => fromRedisStream(redis, { ...base, blocks: 5 } as never, credits)).toThrow(/options.blocks/);
    expect(() => fromRedisStream(redis, base, 5 as never)).toThrow(/credits/);
    const shared = new DistributedCapacity({ redis, key: 'k', capacity: 1, handler: async () => {} });
    expect(() => fromRedisStream(redis, base, shared)).toThrow(/CreditController/);
  });
});
