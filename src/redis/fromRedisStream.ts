import type { Redis } from 'ioredis';
import { Observable } from 'rxjs';
import type { CreditSource } from 'rxjs-backpressure';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { booleanOption } from '../internal/booleanOption.js';
import { describeValue } from '../internal/describeValue.js';
import { numberOption } from '../internal/numberOption.js';
import { optionalFunction, optionsObject, refuseUnknownKeys } from '../internal/resolveBufferOptions.js';
import { subscribeCredits } from '../internal/subscribeCredits.js';
import { DistributedCapacity } from './DistributedCapacity.js';
import { checkClient } from './internal/checkClient.js';
import { StreamConsumer, type StreamSettings } from './internal/StreamConsumer.js';
import type { RedisDeadLetter, RedisStreamDelivery } from './RedisStreamDelivery.js';

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

const optionKeys = [
  'stream',
  'group',
  'consumer',
  'createGroup',
  'block',
  'claimIdle',
  'maxDeliveries',
  'deadLetterStream',
  'onDeadLetter',
  'fenced',
];

function keyOption(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${argument} must be a non-empty string, got ${describeValue(value)}.`);
  }
  return value;
}

const positiveInteger = (value: number): boolean => Number.isSafeInteger(value) && value >= 1;
const positiveIntegerOrInfinity = (value: number): boolean =>
  positiveInteger(value) || value === Number.POSITIVE_INFINITY;

function settingsOf(options: RedisStreamOptions): StreamSettings {
  const given = optionsObject(options, 'options');
  refuseUnknownKeys(given, optionKeys, 'options');
  const stream = keyOption(given.stream, 'options.stream');
  const claimIdle = numberOption(
    given.claimIdle ?? 30_000,
    'options.claimIdle',
    'a positive integer of milliseconds or Infinity',
    positiveIntegerOrInfinity,
  );
  return {
    stream,
    group: keyOption(given.group, 'options.group'),
    consumer: keyOption(given.consumer, 'options.consumer'),
    createGroup: booleanOption(given.createGroup ?? true, 'options.createGroup'),
    block: numberOption(
      given.block ?? 1_000,
      'options.block',
      'a positive integer of milliseconds',
      positiveInteger,
    ),
    claimIdle,
    maxDeliveries: numberOption(
      given.maxDeliveries ?? Number.POSITIVE_INFINITY,
      'options.maxDeliveries',
      'a positive integer or Infinity',
      positiveIntegerOrInfinity,
    ),
    deadLetterStream: keyOption(given.deadLetterStream ?? `${stream}:dead`, 'options.deadLetterStream'),
    onDeadLetter: optionalFunction(given.onDeadLetter, 'options.onDeadLetter'),
    fenced: booleanOption(given.fenced ?? false, 'options.fenced'),
  };
}

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
  const settings = settingsOf(options);
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
