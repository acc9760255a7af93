import type { Redis } from 'ioredis';
import { describeValue } from '../../internal/describeValue.js';

/** Checks that `redis` looks like an ioredis client (what the Redis helpers call on it). */
export function checkClient(redis: unknown, argument: string): Redis {
  const client = redis as Partial<Redis> | null;
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.call !== 'function' ||
    typeof client.duplicate !== 'function'
  ) {
    throw new TypeError(
      `${argument} must be an ioredis client (new Redis(...)), got ${describeValue(redis)}.`,
    );
  }
  return redis as Redis;
}
