import type { Redis } from 'ioredis';
import { Observable } from 'rxjs';
import type { CreditSource } from 'rxjs-backpressure';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { subscribeCredits } from '../internal/subscribeCredits.js';
import { DistributedCapacity } from './DistributedCapacity.js';
import { checkClient } from './internal/checkClient.js';
import { resolveStreamOptions } from './internal/resolveStreamOptions.js';
import { StreamConsumer } from './internal/StreamConsumer.js';
import type { RedisStreamDelivery } from './RedisStreamDelivery.js';
import type { RedisStreamOptions } from './RedisStreamOptions.js';

/**
 * Reads a Redis stream through a consumer group, as fast as `credits` allow and no faster: the worker
 * of a pool pulls only what it (or the service it calls) can take, and the server's count of entries
 * pending with this consumer never exceeds the credit it granted.
 *
 * - **Credit**: each read is `XREADGROUP … COUNT n` with `n` the outstanding credit (at most 1,000 at
 *   a time), one read in flight at a time; credit granted during a read joins the next one. Each
 *   delivery spends one credit. With no credit nothing is read; when the credit signal completes and
 *   its credit is spent, the Observable completes; when it errors, so does the Observable.
 * - **Blocking reads** run on a connection of their own (`redis.duplicate()`), closed on unsubscribe;
 *   acknowledgements and scripts go through `redis`, so they never wait behind a read. The
 *   acknowledgements asked for in one turn of the event loop go out as one command.
 * - **Reclaiming**: every `claimIdle / 2`, entries idle longer than `claimIdle` (a consumer died or
 *   hangs) are taken over with `XAUTOCLAIM`, within credit too, and delivered with `reclaimed: true`.
 *   Those delivered more than `maxDeliveries` times are moved to the dead-letter stream instead, and
 *   reported to `onDeadLetter`: never dropped without a trace.
 * - **Failures**: lost connections, a server restarting or loading are retried with backoff (50 ms
 *   doubling to 2 s) and reading resumes where the group stands; a group lost with the server's data
 *   is created again (`createGroup`). Other server errors (`WRONGTYPE`, a missing group without
 *   `createGroup`) error the Observable. The read connection's `'error'` events are handled here;
 *   give `redis` your own `'error'` listener, as ioredis asks.
 * - **Unsubscribing** ends a waiting read at once (`CLIENT UNBLOCK`) and hands back any entry read but
 *   not delivered, so nothing stays pending with this consumer beyond the deliveries already emitted
 *   and not yet acknowledged (those stay yours to `ack()`).
 *
 * Delivery is at-least-once: an entry is redelivered when its consumer dies or stalls past `claimIdle`
 * before `ack()`. Make the work idempotent, or use `fenced: true` and commit the work's effect only
 * when `ack()` resolves to `true` (then a stalled consumer learns that another took over).
 *
 * The same shape fits other engines with pull consumers: a NATS JetStream pull consumer's `fetch(n)`
 * is a credit request and its messages' `ack()`/`nak()` are this delivery's, so a `fromJetStream`
 * would take the same credit source and emit the same {@link RedisStreamDelivery} shape.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { mergeMap } from 'rxjs';
 * import { CreditController } from 'rxjs-backpressure';
 * import { fromRedisStream } from 'rxjs-backpressure/redis';
 *
 * const redis = new Redis();
 * redis.on('error', (error) => console.error(error));
 * const credits = new CreditController({ initial: 8 }); // at most 8 entries in hand
 * fromRedisStream(redis, { stream: 'orders', group: 'shipping', consumer: 'worker-1' }, credits)
 *   .pipe(
 *     mergeMap(async (delivery) => {
 *       console.log(delivery.fields);
 *       await delivery.ack();
 *       credits.grant(1);
 *     }),
 *   )
 *   .subscribe();
 * ```
 */
export function fromRedisStream(
  redis: Redis,
  options: RedisStreamOptions,
  credits: CreditSource,
): Observable<RedisStreamDelivery> {
  const client = checkClient(redis, 'redis');
  const settings = resolveStreamOptions(options);
  if (credits instanceof DistributedCapacity) {
    // Its credits$ only wakes withHandshake (and only once someone asked isReady()): read from it, the
    // consumer would wait for ever.
    throw new TypeError(
      'credits must not be a DistributedCapacity: its credits$ is a wake-up for withHandshake, not a count of room. Give fromRedisStream a CreditController (the entries a worker may hold) and put withHandshake(capacity) after it.',
    );
  }
  const signal = toCreditSignal(credits, 'credits');
  return new Observable<RedisStreamDelivery>((subscriber) => {
    const consumer = new StreamConsumer(client, settings, subscriber);
    subscribeCredits(signal, subscriber, {
      next: (grant) => consumer.grant(grant),
      error: (error) => subscriber.error(error),
      complete: () => consumer.creditEnded(),
    });
    if (!subscriber.closed) consumer.start();
    return () => consumer.close();
  });
}
