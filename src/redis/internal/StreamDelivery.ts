import type { RedisStreamDelivery } from '../RedisStreamDelivery.js';
import { fieldsOf } from './fieldsOf.js';

/** An entry as Redis answers it: `[id, [field, value, ...]]`, plus its delivery count when reclaimed. */
export type StreamEntry = readonly [id: string, fields: readonly string[] | null, deliveries?: number];

/**
 * What a delivery asks of the consumer that emitted it: declared here, not imported, so that the
 * consumer can build deliveries without the two files importing each other.
 */
export interface DeliveryOwner {
  ack(id: string): Promise<boolean>;
  handBack(entries: readonly (readonly [id: string, deliveries: number])[]): Promise<boolean>;
}

/** The `RedisStreamDelivery` of one entry, built once per entry delivered. */
export class StreamDelivery implements RedisStreamDelivery {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly deliveries: number;
  readonly reclaimed: boolean;
  readonly #owner: DeliveryOwner;

  constructor(owner: DeliveryOwner, entry: StreamEntry, reclaimed: boolean) {
    this.#owner = owner;
    this.id = entry[0];
    this.fields = fieldsOf(entry[1]);
    this.deliveries = entry[2] ?? 1;
    this.reclaimed = reclaimed;
  }

  ack(): Promise<boolean> {
    return this.#owner.ack(this.id);
  }

  nack(): Promise<boolean> {
    return this.#owner.handBack([[this.id, this.deliveries]]);
  }
}
