import type { Redis } from 'ioredis';
import type { Subscriber } from 'rxjs';
import { addCredits } from '../../internal/addCredits.js';
import { backoffDelay } from '../../internal/backoffDelay.js';
import { reportUnhandledError } from '../../internal/reportUnhandledError.js';
import type { RedisStreamDelivery } from '../RedisStreamDelivery.js';
import { AckBatcher } from './AckBatcher.js';
import { isNoGroup, isTransientRedisError } from './isTransientRedisError.js';
import { redisRetryBackoff } from './redisRetryBackoff.js';
import type { StreamSettings } from './resolveStreamOptions.js';
import { type DeliveryOwner, StreamDelivery, type StreamEntry } from './StreamDelivery.js';
import { StreamReader } from './StreamReader.js';
import { StreamReclaimer } from './StreamReclaimer.js';
import { giveBackScript, handBackIdle } from './streamScripts.js';

/** The most entries one read or reclaim asks for, however much credit there is. */
const maxBatch = 1_000;

/**
 * One subscription of `fromRedisStream`: the read loop (one read or reclaim in flight at a time, as
 * much as the outstanding credit), and the acknowledgements of its deliveries.
 */
export class StreamConsumer implements DeliveryOwner {
  readonly #redis: Redis;
  readonly #settings: StreamSettings;
  readonly #subscriber: Subscriber<RedisStreamDelivery>;
  readonly #acks: AckBatcher;
  readonly #reclaimer: StreamReclaimer;
  /** Opened by `start()`. */
  #reader: StreamReader | undefined;
  #credit = 0;
  #creditEnded = false;
  #closed = false;
  /** Ends the current wait (for credit or a retry) early. */
  #wake: (() => void) | undefined;

  constructor(redis: Redis, settings: StreamSettings, subscriber: Subscriber<RedisStreamDelivery>) {
    this.#redis = redis;
    this.#settings = settings;
    this.#subscriber = subscriber;
    this.#acks = new AckBatcher(redis, settings);
    this.#reclaimer = new StreamReclaimer(redis, settings);
  }

  grant(credits: number): void {
    this.#credit = addCredits(this.#credit, credits);
    this.#wakeUp();
  }

  creditEnded(): void {
    this.#creditEnded = true;
    this.#wakeUp();
  }

  /** Opens the read connection and reads. */
  start(): void {
    const reader = new StreamReader(this.#redis, this.#settings);
    this.#reader = reader;
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
    this.#reader?.unblock();
  }

  /** Acknowledges `id` (with the others acknowledged in the same turn of the event loop). */
  ack(id: string): Promise<boolean> {
    return this.#acks.ack(id);
  }

  /** Hands entries (id, delivery count to keep) back to the group, fenced; resolves whether all went. */
  async handBack(entries: readonly (readonly [id: string, deliveries: number])[]): Promise<boolean> {
    const { stream, group, consumer } = this.#settings;
    const pairs = entries.flat();
    const handed = await giveBackScript.run(this.#redis, [stream], [group, consumer, handBackIdle, ...pairs]);
    // Reclaim at once: the consumer that nacks may well be the one with credit to take it again.
    this.#reclaimer.dueNow();
    this.#reader?.unblock();
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

  async #loop(reader: StreamReader): Promise<void> {
    const settings = this.#settings;
    let groupReady = !settings.createGroup;
    let attempt = 0;
    let delay = redisRetryBackoff.initialDelay;
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
        await this.#fetch(reader);
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
        delay = backoffDelay(redisRetryBackoff, attempt, delay, Math.random);
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

  /** Delivers idle entries reclaimed when a reclaim is due and finds some, else new entries read. */
  async #fetch(reader: StreamReader): Promise<void> {
    const reclaimer = this.#reclaimer;
    if (reclaimer.due) {
      const live = await reclaimer.reclaim(Math.min(this.#credit, maxBatch));
      this.#deliver(live, true);
      if (live.length > 0) return;
    }
    // Back in time for the next reclaim, when there is one to do.
    const blockFor = reclaimer.blockFor(this.#settings.block);
    this.#deliver(await reader.read(Math.min(this.#credit, maxBatch), blockFor), false);
  }

  /** Emits entries while open, one credit each; hands back those read after an unsubscribe. */
  #deliver(entries: readonly StreamEntry[], reclaimed: boolean): void {
    for (let index = 0; index < entries.length; index++) {
      if (this.#subscriber.closed) {
        const rest = entries.slice(index).map(([id, , deliveries = 1]) => [id, deliveries - 1] as const);
        this.handBack(rest).catch(() => {
          // Unreachable now, the entries stay pending with this consumer and are reclaimed after claimIdle.
        });
        return;
      }
      const entry = entries[index] as StreamEntry;
      if (this.#credit !== Number.POSITIVE_INFINITY) this.#credit--;
      this.#subscriber.next(new StreamDelivery(this, entry, reclaimed));
    }
  }
}
