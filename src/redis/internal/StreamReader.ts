import type { Redis } from 'ioredis';
import type { StreamSettings } from './resolveStreamOptions.js';
import type { StreamEntry } from './StreamDelivery.js';

/**
 * The connection the blocking reads of one `fromRedisStream` subscription run on (`redis.duplicate()`),
 * so acknowledgements and scripts, sent through `redis`, never wait behind a read; and the way to end a
 * read early (`CLIENT UNBLOCK`, sent through `redis`, the read's own connection being blocked).
 */
export class StreamReader {
  readonly #redis: Redis;
  readonly #settings: StreamSettings;
  readonly #connection: Redis;
  /** The read connection's client id (for `CLIENT UNBLOCK`), learned once per connection. */
  #clientId: string | undefined;
  /** A blocking read is in flight. */
  #reading = false;

  constructor(redis: Redis, settings: StreamSettings) {
    this.#redis = redis;
    this.#settings = settings;
    const connection = redis.duplicate();
    // Failures reach the loop as rejected commands, and ioredis reconnects by itself: the events would
    // only repeat them (and, unheard, be reported as unhandled).
    connection.on('error', () => {});
    connection.on('close', () => {
      this.#clientId = undefined;
    });
    this.#connection = connection;
  }

  /** Reads at most `count` new entries, waiting at most `blockFor` ms for the first. */
  async read(count: number, blockFor: number): Promise<readonly StreamEntry[]> {
    const { stream, group, consumer } = this.#settings;
    const connection = this.#connection;
    // Sent just before the read on its connection, so the id is known while the read blocks.
    const id =
      this.#clientId === undefined
        ? connection.call('CLIENT', ['ID']).then(
            (value) => {
              this.#clientId = String(value);
            },
            () => {}, // the read fails too, and says why
          )
        : undefined;
    const read = connection.call('XREADGROUP', [
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
    return (reply as [string, StreamEntry[]][] | null)?.[0]?.[1] ?? [];
  }

  /** Ends a blocking read in flight, as if it timed out: it answers at once with what it has. */
  unblock(): void {
    const clientId = this.#clientId;
    if (this.#reading && clientId !== undefined) {
      this.#redis.call('CLIENT', ['UNBLOCK', clientId]).catch(() => {});
    }
  }

  disconnect(): void {
    this.#connection.disconnect();
  }
}
