// The README's "Across processes on Redis" program, as a new user would run it: worker processes
// pulling from a stream into a service whose capacity they share. Here the workers are two
// subscriptions with their own clients in this process; the service is a real HTTP server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mergeMap, type Subscription } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CreditController, withHandshake } from '../../src/index.js';
import { DistributedCapacity, fromRedisStream, type RedisStreamDelivery } from '../../src/redis/index.js';
import { describeWithRedis } from './describeWithRedis.js';
import { addEntries, eventually, pendingByConsumer, redisClient } from './redisClient.js';
import { type RedisServer, startRedisServer } from './redisServer.js';

describeWithRedis('a worker pool from the README', () => {
  let server: RedisServer;
  let geo: Server;
  let geoUrl: string;
  let active = 0;
  let peak = 0;
  const tokens: number[] = [];

  beforeEach(async () => {
    server = await startRedisServer();
    active = 0;
    peak = 0;
    tokens.length = 0;
    geo = createServer((req, res) => {
      active++;
      peak = Math.max(peak, active);
      tokens.push(Number(req.headers['x-fencing-token']));
      setTimeout(() => {
        active--;
        res.end();
      }, 10);
    });
    await new Promise<void>((resolve) => geo.listen(0, '127.0.0.1', resolve));
    geoUrl = `http://127.0.0.1:${(geo.address() as AddressInfo).port}/`;
  });
  afterEach(async () => {
    geo.closeAllConnections();
    geo.close();
    await server.stop();
  });

  it('two workers geocode 300 addresses, at most 4 at once across both, every one acknowledged', async () => {
    const seed = redisClient(server);
    await seed.set('{capacity:geocoder}:epoch', 0); // the server is fresh: skip the first-use wait
    await addEntries(seed, 'addresses', 300);
    const workers: { subscription: Subscription; close: () => void }[] = [];
    let acknowledged = 0;
    for (const name of ['worker-1', 'worker-2']) {
      const redis = redisClient(server);
      const geocoder = new DistributedCapacity({
        redis,
        key: 'capacity:geocoder',
        capacity: 4,
        handler: async (delivery: RedisStreamDelivery, signal, token) => {
          await fetch(`${geoUrl}?q=${delivery.fields.n}`, {
            method: 'POST',
            signal,
            headers: { 'x-fencing-token': String(token) },
          });
          return delivery;
        },
      });
      const credits = new CreditController({ initial: 16 });
      const subscription = fromRedisStream(
        redis,
        { stream: 'addresses', group: 'geocoding', consumer: name },
        credits,
      )
        .pipe(
          withHandshake(geocoder, { bufferSize: 16 }),
          mergeMap(async (delivery) => {
            if (await delivery.ack()) acknowledged++;
            credits.grant(1);
          }),
        )
        .subscribe();
      workers.push({
        subscription,
        close: () => {
          geocoder.close();
          redis.disconnect();
        },
      });
    }
    try {
      expect(await eventually(() => acknowledged === 300, 15_000)).toBe(true);
      expect(peak).toBeLessThanOrEqual(4);
      expect(peak).toBeGreaterThan(1);
      expect(new Set(tokens).size).toBeGreaterThan(1);
      expect((await pendingByConsumer(seed, 'addresses', 'geocoding')).size).toBe(0);
    } finally {
      for (const worker of workers) {
        worker.subscription.unsubscribe();
        worker.close();
      }
      seed.disconnect();
    }
  }, 20_000);
});
