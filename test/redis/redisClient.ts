import { Redis } from 'ioredis';
import type { RedisServer } from './redisServer.js';

/** An ioredis client of `server` that retries quickly, with its `'error'` events heard. */
export function redisClient(server: RedisServer): Redis {
  const redis = new Redis(server.port, '127.0.0.1', {
    retryStrategy: () => 50,
    maxRetriesPerRequest: null,
  });
  redis.on('error', () => {});
  return redis;
}

/** Adds `count` entries `{ n: '0' }`, `{ n: '1' }`, ... to `stream`, in one pipeline. */
export async function addEntries(redis: Redis, stream: string, count: number, from = 0): Promise<void> {
  const pipeline = redis.pipeline();
  for (let n = from; n < from + count; n++) pipeline.xadd(stream, '*', 'n', String(n));
  await pipeline.exec();
}

/** How many entries of `group` are pending with each consumer. */
export async function pendingByConsumer(
  redis: Redis,
  stream: string,
  group: string,
): Promise<Map<string, number>> {
  const [, , , consumers] = (await redis.call('XPENDING', [stream, group])) as [
    number,
    string | null,
    string | null,
    [string, string][] | null,
  ];
  return new Map((consumers ?? []).map(([name, count]) => [name, Number(count)]));
}

/** Polls `check` every 10 ms until it holds or `timeout` ms have passed; resolves whether it held. */
export async function eventually(check: () => boolean | Promise<boolean>, timeout: number): Promise<boolean> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}
