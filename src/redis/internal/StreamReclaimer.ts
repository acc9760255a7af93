import type { Redis } from 'ioredis';
import { fieldsOf } from './fieldsOf.js';
import type { StreamSettings } from './resolveStreamOptions.js';
import type { StreamEntry } from './StreamDelivery.js';
import { reclaimScript } from './streamScripts.js';

/**
 * How one `fromRedisStream` subscription takes over entries left idle past `claimIdle` by a consumer
 * that died or hangs: when the next look is due, where it continues (`XAUTOCLAIM`'s cursor), and the
 * dead letters it reports.
 */
export class StreamReclaimer {
  readonly #redis: Redis;
  readonly #settings: StreamSettings;
  #cursor = '0-0';
  /** When the next look is due (`Date.now()`). */
  #dueAt = 0;

  constructor(redis: Redis, settings: StreamSettings) {
    this.#redis = redis;
    this.#settings = settings;
  }

  /** Whether idle entries are to be looked for now. */
  get due(): boolean {
    return this.#settings.claimIdle !== Number.POSITIVE_INFINITY && Date.now() >= this.#dueAt;
  }

  /** Makes the next look due at once: an entry was handed back, and is idle now. */
  dueNow(): void {
    this.#dueAt = 0;
  }

  /** How long a read may block (at most `block`) and still be back in time for the next look. */
  blockFor(block: number): number {
    return this.#settings.claimIdle === Number.POSITIVE_INFINITY
      ? block
      : Math.min(block, Math.max(1, this.#dueAt - Date.now()));
  }

  /**
   * Takes over at most `count` idle entries and returns those to deliver; those delivered more than
   * `maxDeliveries` times were moved to the dead-letter stream instead, and are told to `onDeadLetter`.
   */
  async reclaim(count: number): Promise<readonly Required<StreamEntry>[]> {
    const settings = this.#settings;
    const maxDeliveries = settings.maxDeliveries === Number.POSITIVE_INFINITY ? 0 : settings.maxDeliveries;
    const reply = (await reclaimScript.run(
      this.#redis,
      [settings.stream, settings.deadLetterStream],
      [settings.group, settings.consumer, settings.claimIdle, this.#cursor, count, maxDeliveries],
    )) as [string, Required<StreamEntry>[], Required<StreamEntry>[]];
    const [cursor, live, dead] = reply;
    this.#cursor = cursor;
    // A full batch may have more behind it: go on at once; otherwise wait half an idle period.
    if (cursor === '0-0' && live.length + dead.length < count) {
      this.#dueAt = Date.now() + Math.ceil(settings.claimIdle / 2);
    }
    for (const [id, fields, deliveries] of dead) {
      settings.onDeadLetter?.({ id, fields: fieldsOf(fields), deliveries });
    }
    return live;
  }
}
