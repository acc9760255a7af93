import type { Redis } from 'ioredis';
import { objectWithMembers } from '../../core/validation.js';

/** Checks that `redis` looks like an ioredis client (what the Redis helpers call on it). */
export function checkClient(redis: unknown, argument: string): Redis {
  return objectWithMembers<Redis>(
    redis,
    { call: 'function', duplicate: 'function' },
    argument,
    'an ioredis client (new Redis(...))',
  );
}
