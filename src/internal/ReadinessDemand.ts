import { asyncScheduler, type Subscriber, type Subscription } from 'rxjs';
import type { ReadinessProvider } from '../core/ReadinessProvider.js';

/**
 * How many items `pullFrom` reads in a row while its consumer stays ready. Items a synchronous step
 * drops never reach the consumer, so they cannot make it busy; neither can items still in transit
 * through an asynchronous step. After this many, `pullFrom` lets the event loop turn before it asks
 * again, so items in transit can arrive and a long run of dropped items still goes on.
 */
export const readAheadWindow = 1024;

/**
 * `pullFrom`'s demand when driven by a {@link ReadinessProvider}: what the readers see as outstanding
 * credit is 1 while the provider is ready (and the window is not used up), else 0. Reading it asks
 * `isReady()`, so the readers ask before every read without knowing the difference.
 */
export class ReadinessDemand {
  /** The provider's `isReady`, looked up once: it is called before every read. */
  readonly #isReady: () => boolean;
  readonly #owner: Subscriber<unknown>;
  readonly #drain: () => void;
  #readInARow = 0;
  #wakeUpsEnded = false;
  #later: Subscription | undefined;

  constructor(provider: ReadinessProvider, owner: Subscriber<unknown>, drain: () => void) {
    const isReady = provider.isReady;
    this.#isReady = () => isReady.call(provider);
    this.#owner = owner;
    this.#drain = drain;
    owner.add(() => this.#later?.unsubscribe());
  }

  get outstanding(): number {
    let ready: boolean;
    try {
      ready = this.#isReady();
    } catch (error) {
      this.#owner.error(error);
      return 0;
    }
    if (!ready) {
      // The consumer took what it could: whatever was read has arrived or been dropped.
      this.#readInARow = 0;
      // Nothing will wake the reader any more: ask again after each turn of the event loop.
      if (this.#wakeUpsEnded) this.#askLater();
      return 0;
    }
    if (this.#readInARow < readAheadWindow) return 1;
    this.#askLater();
    return 0;
  }

  admit(): void {
    this.#readInARow++;
  }

  /** The provider says room may have freed. */
  wake(): void {
    this.#readInARow = 0;
  }

  /** The provider's `credits$` completed: no wake-up will come from it again. */
  wakeUpsEnded(): void {
    this.#wakeUpsEnded = true;
  }

  #askLater(): void {
    if (this.#later !== undefined || this.#owner.closed) return;
    this.#later = asyncScheduler.schedule(() => {
      this.#later = undefined;
      this.#readInARow = 0;
      this.#drain();
    });
  }
}
