/**
 * One entry of a Redis stream, delivered by `fromRedisStream` against one credit. The entry stays
 * pending in the consumer group, owned by this consumer, until `ack()`; if the consumer dies first,
 * another one reclaims it after `claimIdle` (at-least-once).
 *
 * @example
 * ```ts
 * import type { RedisStreamDelivery } from 'rxjs-backpressure/redis';
 *
 * async function handle(delivery: RedisStreamDelivery): Promise<void> {
 *   if (delivery.reclaimed) console.log(`${delivery.id}: try ${delivery.deliveries}`);
 *   const acknowledged = await delivery.ack();
 *   if (!acknowledged) console.log(`${delivery.id} was reclaimed by another consumer`);
 * }
 * ```
 */
export interface RedisStreamDelivery {
  /** The entry's stream id, `'1700000000000-0'`. */
  readonly id: string;
  /** The entry's fields (a later duplicate field wins). */
  readonly fields: Readonly<Record<string, string>>;
  /** How many times the group delivered this entry, this delivery included (1 for a first delivery). */
  readonly deliveries: number;
  /** Whether this delivery took the entry over from a consumer that left it idle past `claimIdle`. */
  readonly reclaimed: boolean;
  /**
   * Acknowledges the entry (`XACK`), resolving to whether this call acknowledged it. With
   * `fenced: true` it acknowledges only while this consumer still owns the entry, so `false` means
   * another consumer reclaimed it (and will process it, or did); without fencing `false` means it was
   * acknowledged already. Rejects when Redis cannot be reached; the entry then stays pending.
   */
  ack(): Promise<boolean>;
  /**
   * Gives the entry back without acknowledging it: while this consumer still owns it, it becomes
   * reclaimable at once, by this consumer or another, and its delivery count keeps this delivery.
   * Resolves to whether it was handed back (`false`: another consumer owns it now).
   */
  nack(): Promise<boolean>;
}

/**
 * An entry moved to the dead-letter stream because it was delivered more than `maxDeliveries` times,
 * as `fromRedisStream` reports it to `onDeadLetter`.
 *
 * @example
 * ```ts
 * import type { RedisDeadLetter } from 'rxjs-backpressure/redis';
 *
 * const report = (entry: RedisDeadLetter): void =>
 *   console.error(`gave up on ${entry.id} after ${entry.deliveries} deliveries`, entry.fields);
 * ```
 */
export interface RedisDeadLetter {
  /** The entry's id in the source stream. */
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
  /** How many times it was delivered, counting the reclaim that moved it. */
  readonly deliveries: number;
}
