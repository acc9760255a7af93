import type { RedisDeadLetter } from './RedisStreamDelivery.js';

/**
 * Options of {@link fromRedisStream}. Every one is checked when `fromRedisStream` is called.
 *
 * @example
 * ```ts
 * import type { RedisStreamOptions } from 'rxjs-backpressure/redis';
 *
 * const options: RedisStreamOptions = {
 *   stream: 'orders',
 *   group: 'shipping',
 *   consumer: `worker-${process.pid}`,
 *   claimIdle: 30_000,
 *   maxDeliveries: 5,
 *   onDeadLetter: (entry) => console.error('dead letter', entry.id),
 * };
 * ```
 */
export interface RedisStreamOptions {
  /** The stream's key. */
  readonly stream: string;
  /** The consumer group. */
  readonly group: string;
  /** This consumer's name in the group: unique per process (a crashed one's entries are reclaimed). */
  readonly consumer: string;
  /**
   * Creates the group (and the stream) when missing, reading from the stream's first entry, also after
   * a server that lost its data comes back. Default `true`; with `false` a missing group is an error.
   */
  readonly createGroup?: boolean;
  /**
   * The longest one blocking read waits for new entries, in ms: a positive integer. Default 1,000.
   * Unsubscribing ends a waiting read at once (`CLIENT UNBLOCK`), so this bounds only how long the
   * consumer goes without looking for idle entries to reclaim.
   */
  readonly block?: number;
  /**
   * Entries pending longer than this (ms) with any consumer, dead or alive, are reclaimed by this one,
   * within its credit; checked every `claimIdle / 2`. A positive integer, or `Infinity` to never
   * reclaim. Default 30,000. Keep it well above the time one entry takes to process.
   */
  readonly claimIdle?: number;
  /**
   * An entry reclaimed after this many deliveries is moved to `deadLetterStream` instead of delivered
   * again: a positive integer, or `Infinity` (the default) to redeliver for ever.
   */
  readonly maxDeliveries?: number;
  /**
   * Where dead letters go, each with the fields `x-source-id`, `x-deliveries` and `x-group` before the
   * entry's own. Default: `${stream}:dead`.
   */
  readonly deadLetterStream?: string;
  /** Told of every entry moved to the dead-letter stream (after the move). */
  readonly onDeadLetter?: (entry: RedisDeadLetter) => void;
  /**
   * Makes `ack()` fenced: it acknowledges only while this consumer still owns the entry (one Lua script
   * per ack; it costs throughput). Default `false`: a plain `XACK`.
   */
  readonly fenced?: boolean;
}
