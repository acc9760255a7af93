import type { Redis } from 'ioredis';
import type { Subscriber } from 'rxjs';
import { addCredits } from '../../internal/addCredits.js';
import { type BackoffPolicy, backoffDelay } from '../../internal/backoffDelay.js';
import { reportUnhandledError } from '../../internal/reportUnhandledError.js';
import type { RedisDeadLetter, RedisStreamDelivery } from '../RedisStreamDelivery.js';
import { isNoGroup, isTransientRedisError } from './isTransientRedisError.js';
import { ackScript, giveBackScript, handBackIdle, reclaimScript } from './streamScripts.js';

/** The checked options of `fromRedisStream`. */
export interface StreamSettings {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  readonly createGroup: boolean;
  readonly block: number;
  readonly claimIdle: number;
  readonly maxDeliveries: number;
  readonly deadLetterStream: string;
  readonly onDeadLetter: ((entry: RedisDeadLetter) => void) | undefined;
  readonly fenced: boolean;
}

/** The most entries one read or reclaim asks for, however much credit there is. */
const maxBatch = 1_000;
const retryBackoff: BackoffPolicy = { initialDelay: 50, maxDelay: 2_000, factor: 2, jitter: 'full' };

/** An entry as Redis answers it: `[id, [field, value, ...]]`, plus its delivery count. */
type Entry = readonly [id: string, fields: readonly string[] | null, deliveries?: number];

function fieldsOf(flat: readonly string[] | null): Record<string, string> {
  // A plain object (one without prototype is built in V8's slow dictionary mode), with a field named
  // __proto__ defined as an own property rather than assigned, which would set the prototype.
  const fields: Record<string, string> = {};
  if (flat === null) return fields;
  for (let index = 0; index + 1 < flat.length; index += 2) {
    const name = flat[index] as string;
    const value = flat[index + 1] as string;
    if (name === '__proto__') {
      Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
    } else {
      fields[name] = value;
    }
  }
  return fields;
}

class StreamDelivery implements RedisStreamDelivery {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly deliveries: number;
  readonly reclaimed: boolean;
  readonly #consumer: StreamConsumer;

  constructor(consumer: StreamConsumer, entry: Entry, reclaimed: boolean) {
    this.#consumer = consumer;
    this.id = entry[0];
    this.fields = fieldsOf(entry[1]);
    this.deliveries = entry[2] ?? 1;
    this.reclaimed = reclaimed;
  }

  ack(): Promise<boolean> {
    return this.#consumer.ack(this.id);
  }

  nack(): Promise<boolean> {
    return this.#consumer.handBack([[this.id, this.deliveries]]);
  }
}

/**
 * One subscription of `fromRedisStream`: the read loop (one read or reclaim in flight at a time, as
 * much as the outstanding credit), and the acknowledgements of its deliveries.
 */
export class StreamConsumer {
  readonly #redis: Redis;
  readonly #settings: StreamSettings;
  readonly #subscriber: Subscriber<RedisStreamDelivery>;
  #credit = 0;
  #creditEnded = false;
  #closed = false;
  /** Ends the current wait (for credit or a retry) early. */
  #wake: (() => void) | undefined;
  /** The read connection's client id (for `CLIENT UNBLOCK`), learned once per connection. */
  #readerId: string | undefined;
  /** A blocking read is in flight. */
  #reading = false;
  /** Acknowledgements asked for in this turn of the event loop, sent together at its end. */
  #acks: { id: string; resolve: (acknowledged: boolean) => void; reject: (error: unknown) => void }[] = [];
  /** Where the next reclaim continues (`XAUTOCLAIM`'s cursor), and when it is due (`Date.now()`). */
  readonly #claim = { cursor: '0-0', dueAt: 0 };

  constructor(redis: Redis, settings: StreamSettings, subscriber: Subscriber<RedisStreamDelivery>) {
    this.#redis = redis;
    this.#settings = settings;
    this.#subscriber = subscriber;
  }

  grant(credits: number): void {
    this.#credit = addCredits(this.#credit, credits);
    this.#wakeUp();
  }

  creditEnded(): void {
    this.#creditEnded = true;
    this.#wakeUp();
  }

  /** Opens the read connection (blocking reads run there, so acknowledgements never wait behind them) and reads. */
  start(): void {
    const reader = this.#redis.duplicate();
    // Failures reach the loop as rejected commands, and ioredis reconnects by itself: the events would
    // only repeat them (and, unheard, be reported as unhandled).
    reader.on('error', () => {});
    reader.on('close', () => {
      this.#readerId = undefined;
    });
    this.#loop(reader).then(
      () => reader.disconnect(),
      (error: unknown) => {
        reader.disconnect();
        reportUnhandledError(error);
      },
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeUp();
    // The read ends now, with what it got: entries the server already gave it are handed back.
    this.#unblock();
  }

  /** Ends a blocking read in flight, as if it timed out. */
  #unblock(): void {
    const readerId = this.#readerId;
    if (this.#reading && readerId !== undefined) {
      this.#redis.call('CLIENT', ['UNBLOCK', readerId]).catch(() => {});
    }
  }

  /**
   * Acknowledges `id` together with the others acknowledged in the same turn of the event loop (one
   * command for a batch: their credit then comes back together, and one read takes it all).
   */
  ack(id: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const batch = this.#acks;
      batch.push({ id, resolve, reject });
      if (batch.length === 1) queueMicrotask(() => this.#acknowledge());
    });
  }

  #acknowledge(): void {
    const batch = this.#acks;
    this.#acks = [];
    const { stream, group, consumer, fenced } = this.#settings;
    const ids = batch.map((pending) => pending.id);
    const answer =
      ids.length === 1 && !fenced
        ? this.#redis.call('XACK', [stream, group, ...ids]).then((count) => [count])
        : ackScript.run(this.#redis, [stream], [group, fenced ? consumer : '', ...ids]);
    answer.then(
      (acknowledged) => {
        for (let index = 0; index < batch.length; index++) {
          batch[index]?.resolve((acknowledged as unknown[])[index] === 1);
        }
      },
      (error: unknown) => {
        for (const pending of batch) pending.reject(error);
      },
    );
  }

  /** Hands entries (id, delivery count to keep) back to the group, fenced; resolves whether all went. */
  async handBack(entries: readonly (readonly [id: string, deliveries: number])[]): Promise<boolean> {
    const { stream, group, consumer } = this.#settings;
    const pairs = entries.flat();
    const handed = await giveBackScript.run(this.#redis, [stream], [group, consumer, handBackIdle, ...pairs]);
    // Reclaim at once: the consumer that nacks may well be the one with credit to take it again.
    this.#claim.dueAt = 0;
    this.#unblock();
    return handed === entries.length;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Waits for `ms` (or, without `ms`, for credit), or less when woken. */
  #pause(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.#wakeUp(), ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async #loop(reader: Redis): Promise<void> {
    const settings = this.#settings;
    let groupReady = !settings.createGroup;
    let attempt = 0;
    let delay = retryBackoff.initialDelay;
    while (!this.#closed) {
      if (this.#credit === 0) {
        if (this.#creditEnded) {
          this.#subscriber.complete();
          return;
        }
        // Grants often come in a run (the acknowledgements of one batch, answered together): the loop
        // goes on after the microtasks already queued, so one read takes them all.
        await this.#pause();
        continue;
      }
      try {
        if (!groupReady) {
          await this.#createGroup();
          groupReady = true;
        }
        if (!(this.#reclaimDue() && (await this.#reclaim()))) await this.#read(reader);
        attempt = 0;
      } catch (error) {
        if (this.#closed) return;
        if (isNoGroup(error) && settings.createGroup) {
          groupReady = false;
        } else if (!isTransientRedisError(error)) {
          this.#subscriber.error(error);
          return;
        }
        attempt++;
        delay = backoffDelay(retryBackoff, attempt, delay, Math.random);
        await this.#pause(delay);
      }
    }
  }

  async #createGroup(): Promise<void> {
    const { stream, group } = this.#settings;
    try {
      await this.#redis.call('XGROUP', ['CREATE', stream, group, '0', 'MKSTREAM']);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
  }

  /** Whether idle entries are to be looked for now. */
  #reclaimDue(): boolean {
    return this.#settings.claimIdle !== Number.POSITIVE_INFINITY && Date.now() >= this.#claim.dueAt;
  }

  /** Reclaims idle entries, within credit; resolves whether it delivered any. */
  async #reclaim(): Promise<boolean> {
    const settings = this.#settings;
    const claim = this.#claim;
    const count = Math.min(this.#credit, maxBatch);
    const maxDeliveries = settings.maxDeliveries === Number.POSITIVE_INFINITY ? 0 : settings.maxDeliveries;
    const reply = (await reclaimScript.run(
      this.#redis,
      [settings.stream, settings.deadLetterStream],
      [settings.group, settings.consumer, settings.claimIdle, claim.cursor, count, maxDeliveries],
    )) as [string, Required<Entry>[], Required<Entry>[]];
    const [cursor, live, dead] = reply;
    claim.cursor = cursor;
    // A full batch may have more behind it: go on at once; otherwise wait half an idle period.
    if (cursor === '0-0' && live.length + dead.length < count) {
      claim.dueAt = Date.now() + Math.ceil(settings.claimIdle / 2);
    }
    for (const [id, fields, deliveries] of dead) {
      settings.onDeadLetter?.({ id, fields: fieldsOf(fields), deliveries });
    }
    this.#deliver(live, true);
    return live.length > 0;
  }

  async #read(reader: Redis): Promise<void> {
    const { stream, group, consumer, block, claimIdle } = this.#settings;
    const count = Math.min(this.#credit, maxBatch);
    // Sent just before the read on its connection, so the id is known while the read blocks.
    const id =
      this.#readerId === undefined
        ? reader.call('CLIENT', ['ID']).then(
            (value) => {
              this.#readerId = String(value);
            },
            () => {}, // the read fails too, and says why
          )
        : undefined;
    // Back in time for the next reclaim, when there is one to do.
    const blockFor =
      claimIdle === Number.POSITIVE_INFINITY
        ? block
        : Math.min(block, Math.max(1, this.#claim.dueAt - Date.now()));
    const read = reader.call('XREADGROUP', [
      'GROUP',
      group,
      consumer,
      'COUNT',
      count,
      'BLOCK',
      blockFor,
      'STREAMS',
      stream,
      '>',
    ]);
    let reply: unknown;
    this.#reading = true;
    try {
      reply = await read;
      await id; // answered before the read, so settled already
    } finally {
      this.#reading = false;
    }
    this.#deliver((reply as [string, Entry[]][] | null)?.[0]?.[1] ?? [], false);
  }

  /** Emits entries while open, one credit each; hands back those read after an unsubscribe. */
  #deliver(entries: readonly Entry[], reclaimed: boolean): void {
    for (let index = 0; index < entries.length; index++) {
      if (this.#subscriber.closed) {
        const rest = entries.slice(index).map(([id, , deliveries = 1]) => [id, deliveries - 1] as const);
        this.handBack(rest).catch(() => {
          // Unreachable now, the entries stay pending with this consumer and are reclaimed after claimIdle.
        });
        return;
      }
      const entry = entries[index] as Entry;
      if (this.#credit !== Number.POSITIVE_INFINITY) this.#credit--;
      this.#subscriber.next(new StreamDelivery(this, entry, reclaimed));
    }
  }
}
