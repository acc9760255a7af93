import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Whether `error` is Redis's answer to `EVALSHA` of a script it has not cached (yet, or any more). */
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * A Lua script run with `EVALSHA`, falling back to `EVAL` once when the server does not have it cached
 * (a first call, or after a restart or `SCRIPT FLUSH`): one round trip in the usual case, without
 * `defineCommand`, which would add a method to the caller's client.
 */
export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.call('EVALSHA', [this.#sha, keys.length, ...keys, ...args]);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return redis.call('EVAL', [this.#source, keys.length, ...keys, ...args]);
    }
  }
}
