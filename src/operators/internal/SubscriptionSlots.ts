import type { Observable } from 'rxjs';
import type { HandshakeProvider } from '../../core/HandshakeProvider.js';
import type { SegmentSlots } from './SegmentSlots.js';

/**
 * One subscription's view of the slots, as the service its `withHandshake` gate drives, counting the
 * items its gate holds: arrived, less started and dropped. (With `ordered`, results held back for order
 * are reported dropped after their start, only when the output ends; the count then stops mattering.)
 */
export class SubscriptionSlots<T, R> implements HandshakeProvider<T, R> {
  arrived = 0;
  started = 0;
  dropped = 0;
  readonly #slots: SegmentSlots<T, R>;

  constructor(slots: SegmentSlots<T, R>) {
    this.#slots = slots;
  }

  get credits$(): Observable<number> {
    return this.#slots.credits$;
  }

  get capacity(): number {
    return this.#slots.capacity;
  }

  get active(): number {
    return this.#slots.active;
  }

  get waiting(): number {
    return Math.max(0, this.arrived - this.started - this.dropped);
  }

  isReady(): boolean {
    return this.#slots.hasRoom();
  }

  do(item: T): Observable<R> {
    this.started++;
    return this.#slots.run(item);
  }
}
