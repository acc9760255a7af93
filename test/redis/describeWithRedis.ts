import { describe, it } from 'vitest';
import { redisServerPath } from './redisServer.js';

/**
 * `describe` for tests that need a real `redis-server`: runs them when it is installed; otherwise says
 * so loudly and skips them, except in CI (`CI=true`), where a missing server fails the run instead.
 */
export function describeWithRedis(name: string, tests: () => void): void {
  if (redisServerPath !== undefined) {
    describe(name, tests);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has redis-server installed (CI must run the Redis tests)', () => {
        throw new Error(
          'redis-server is not installed: .ci/run installs it; CI must not skip the Redis tests.',
        );
      });
    });
    return;
  }
  console.warn(
    `\n*** SKIPPED: ${name}: redis-server is not installed, so the Redis tests did not run. ` +
      'Install it (apt-get install redis-server) to run them. ***\n',
  );
  describe.skip(name, tests);
}
