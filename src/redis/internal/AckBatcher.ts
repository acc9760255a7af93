import type { Redis } from 'ioredis';
import type { StreamSettings } from './resolveStreamOptions.js';
import { ackScript } from './streamScripts.js';

interface PendingAck {
  readonly id: string;
  readonly resolve: (acknowledged: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The acknowledgements of one `fromRedisStream` subscription: those asked for in one turn of the event
 * loop go out as one command at its end, so their credit comes back together and one read takes it
 * all, instead of a read per acknowledgement.
 */
export class AckBatcher {
  readonly #redis: Redis;
  readonly #settings: StreamSettings;
  #pending: PendingAck[] = [];

  constructor(redis: Redis, settings: StreamSettings) {
    this.#redis = redis;
    this.#settings = settings;
  }

  /** Acknowledges `id` with the rest of this turn's batch; resolves whether this call acknowledged it. */
  ack(id: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const batch = this.#pending;
      batch.push({ id, resolve, reject });
      if (batch.length === 1) queueMicrotask(() => this.#send());
    });
  }

  #send(): void {
    const batch = this.#pending;
    this.#pending = [];
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
}
