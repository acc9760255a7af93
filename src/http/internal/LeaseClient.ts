import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { creditStream } from './creditStream.js';
import { type Leased, RoomEstimate } from './RoomEstimate.js';
import { readLoad } from './readLoad.js';
import { reconnectWithBackoff } from './reconnectWithBackoff.js';
import type { RemoteSettings } from './resolveRemoteServiceOptions.js';

/**
 * The client's side of the lease protocol, for one `RemoteService`: `credits$`, which holds the
 * `/credits` stream open while it has subscribers (reconnecting with backoff) and emits every rise of
 * the room the service may use, as its `RoomEstimate` learns it from the stream and from the answers.
 */
export class LeaseClient {
  /** The room as it rises: connects lazily, shared by every subscriber, never completes. */
  readonly credits$: Observable<number>;
  readonly #settings: RemoteSettings;
  readonly #estimate = new RoomEstimate();
  /** Replaced, never mutated, so a broadcast walks a stable list while subscribers come and go. */
  #subscribers: readonly Subscriber<number>[] = [];
  #connection: Subscription | undefined;

  constructor(settings: RemoteSettings) {
    this.#settings = settings;
    this.credits$ = new Observable<number>((subscriber) => {
      this.#subscribers = [...this.#subscribers, subscriber];
      if (this.#connection === undefined) {
        this.#connect();
      } else {
        const room = this.#estimate.usable();
        if (room > 0) subscriber.next(room);
      }
      return () => {
        this.#subscribers = this.#subscribers.filter((other) => other !== subscriber);
        if (this.#subscribers.length === 0) this.#disconnect();
      };
    });
  }

  get share(): number | undefined {
    return this.#estimate.share;
  }

  /** The room `isReady()` tests. */
  usable(): number {
    return this.#estimate.usable();
  }

  /** A call goes out: returns the lease it spends credit of, whose id it names in `X-Lease`. */
  send(): Leased | undefined {
    return this.#estimate.send();
  }

  /** A call was answered (`response`) or failed without an answer; `leased` as `send()` returned it. */
  answered(response: Response | undefined, leased: Leased | undefined): void {
    const before = this.#estimate.usable();
    this.#estimate.answered(
      response?.status,
      response === undefined ? undefined : readLoad(response.headers),
      leased,
    );
    this.#announce(before);
    // Checked after the broadcast: a subscriber may have sent a call or unsubscribed meanwhile.
    if (this.#estimate.mustRelearn()) this.#relearn();
  }

  /** Emits on `credits$` by how much the usable room rose since it was `before`, if it did. */
  #announce(before: number): void {
    const after = this.#estimate.usable();
    if (after > before) {
      const rise = after - before;
      for (const subscriber of this.#subscribers) subscriber.next(rise);
    }
  }

  #connect(): void {
    this.#estimate.toConnecting();
    this.#connection = this.#open();
  }

  /**
   * Replaces the lease by a new one, whose credit is exact now that no call of this client is in
   * flight. The old lease's credit returns to the server as its stream closes.
   */
  #relearn(): void {
    this.#connection?.unsubscribe();
    this.#connect();
  }

  /** Opens the credit stream, reconnecting with backoff; it errors only when reconnecting is futile. */
  #open(): Subscription {
    const { creditsUrl, fetch, timeout, scheduler } = this.#settings;
    return creditStream(creditsUrl, fetch, timeout, scheduler)
      .pipe(
        reconnectWithBackoff(scheduler, () => {
          const before = this.#estimate.usable();
          this.#estimate.toReconnecting();
          this.#announce(before);
        }),
      )
      .subscribe({
        next: (event) => {
          const before = this.#estimate.usable();
          this.#estimate.heard(event);
          this.#announce(before);
        },
        error: (error: unknown) => {
          const subscribers = this.#subscribers;
          this.#subscribers = [];
          this.#disconnect();
          for (const subscriber of subscribers) subscriber.error(error);
        },
      });
  }

  #disconnect(): void {
    this.#connection?.unsubscribe();
    this.#connection = undefined;
    this.#estimate.toUnwatched();
  }
}
