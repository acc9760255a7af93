import type { ServerResponse } from 'node:http';
import { httpProtocol } from './httpProtocol.js';
import type { LeaseChannel } from './Lease.js';

/**
 * The `text/event-stream` of one lease. While the socket's buffer is full, credit adds up here and goes
 * out as one event on `'drain'`, so a slow client costs a number, not a growing queue of events; a
 * revoke takes from that unsent credit first, since the client never heard of it.
 */
export class LeaseStream implements LeaseChannel {
  readonly #res: ServerResponse;
  #owed = 0;

  constructor(res: ServerResponse) {
    this.#res = res;
    res.on('drain', () => {
      if (this.#owed === 0) return;
      const amount = this.#owed;
      this.#owed = 0;
      this.#write(httpProtocol.creditEvent, String(amount));
    });
  }

  /** The first events: the lease's id, then its share and its first credit (both even when 0). */
  open(lease: string, share: number, credit: number): void {
    this.#write(httpProtocol.leaseEvent, lease);
    this.#write(httpProtocol.shareEvent, String(share));
    this.#write(httpProtocol.creditEvent, String(credit));
  }

  send(event: 'credit' | 'revoke' | 'share', value: number): void {
    let amount = value;
    if (event === 'credit' && this.#res.writableNeedDrain) {
      this.#owed += amount;
      return;
    }
    if (event === 'revoke') {
      const unsent = Math.min(this.#owed, amount);
      this.#owed -= unsent;
      amount -= unsent;
      if (amount === 0) return;
    }
    this.#write(event, String(amount));
  }

  /** A comment line, so proxies keep the idle stream and a vanished client is noticed. */
  heartbeat(): void {
    if (!this.#res.writableNeedDrain) this.#res.write(': heartbeat\n\n');
  }

  end(): void {
    this.#res.end();
  }

  #write(event: string, data: string): void {
    if (!this.#res.destroyed) this.#res.write(`event: ${event}\ndata: ${data}\n\n`);
  }
}
