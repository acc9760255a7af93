import type { BackoffPolicy } from '../../internal/backoffDelay.js';

/**
 * How the Redis helpers wait before trying a server again that failed them (a lost connection, a
 * restart, a server still loading): 50 ms doubling to 2 s, with full jitter so that a pool of workers
 * does not come back in step. One policy for both, so a pool that uses both recovers at one pace.
 */
export const redisRetryBackoff: BackoffPolicy = {
  initialDelay: 50,
  maxDelay: 2_000,
  factor: 2,
  jitter: 'full',
};
