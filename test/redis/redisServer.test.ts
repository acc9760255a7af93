import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { describeWithRedis } from './describeWithRedis.js';
import { type RedisServer, startRedisServer } from './redisServer.js';

describeWithRedis('the Redis test server', () => {
  let server: RedisServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it('answers on 127.0.0.1 and keeps appended writes across a restart', async () => {
    server = await startRedisServer({ appendonly: true });
    const redis = new Redis(server.port, '127.0.0.1', { lazyConnect: true });
    redis.on('error', () => {});
    await redis.connect();
    await redis.set('kept', 'yes');
    const before = server.pid;
    await server.restart();
    expect(server.pid).not.toBe(before);
    expect(await redis.get('kept')).toBe('yes');
    redis.disconnect();
  });

  it('is gone once stopped', async () => {
    server = await startRedisServer();
    const pid = server.pid;
    await server.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
