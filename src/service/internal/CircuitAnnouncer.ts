import { Subject, type Subscription } from 'rxjs';
import type { CircuitState } from '../../core/CircuitState.js';

/** What a breaker's `state$` and `credits$` hear of: each turn, and each trial place freed. */
export type CircuitAnnouncement = CircuitState | 'trial-freed';

/**
 * A breaker's announcements, heard in the order they were made: one made by a listener while an
 * announcement is going out (a listener's call that turns the circuit again) waits until every
 * listener has heard the one it reacts to, and goes out from the same loop, never by recursion.
 * Apart from the breaker because it is plumbing, not part of the state machine.
 */
export class CircuitAnnouncer {
  readonly #events = new Subject<CircuitAnnouncement>();
  /** Announcements waiting to go out. */
  readonly #pending: CircuitAnnouncement[] = [];
  #publishing = false;

  subscribe(listener: (event: CircuitAnnouncement) => void): Subscription {
    return this.#events.subscribe(listener);
  }

  publish(event: CircuitAnnouncement): void {
    this.#pending.push(event);
    if (this.#publishing) return;
    this.#publishing = true;
    try {
      for (let i = 0; i < this.#pending.length; i++) this.#events.next(this.#pending[i]!);
    } finally {
      this.#pending.length = 0;
      this.#publishing = false;
    }
  }
}
