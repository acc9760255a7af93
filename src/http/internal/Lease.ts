import { randomUUID } from 'node:crypto';

/** Where a lease's later events go: its credit stream. */
export interface LeaseChannel {
  /** `credit`, `revoke` (counts) or `share` (a number of slots, maybe fractional). */
  send(event: 'credit' | 'revoke' | 'share', value: number): void;
  /** The stream cannot go on (the provider's credits$ failed or ended): close it. */
  end(): void;
}

/**
 * One connected credit-stream client, as the lease book accounts for it: what it was granted and what
 * it runs. Its own class, since the handler's streams hold it too (to close it when they end).
 */
export class Lease {
  readonly id = randomUUID();
  readonly channel: LeaseChannel;
  /** Granted to the client and not yet used by a `POST /do`. */
  credit = 0;
  /** Calls admitted on this lease that have not settled. */
  running = 0;
  /** The share last announced. */
  share = 0;
  /** When it was last granted credit (a sequence number): the longest-waiting lease goes first on ties. */
  grantedAt = 0;
  /** Credit granted in this distribution round, sent as one event when the round ends. */
  granting = 0;

  constructor(channel: LeaseChannel) {
    this.channel = channel;
  }

  /** Slots this client holds: credit it may use and calls it runs. */
  get holding(): number {
    return this.credit + this.running;
  }
}
