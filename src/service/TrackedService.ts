import type { Observable } from 'rxjs';
import type { HandshakeProvider } from '../core/HandshakeProvider.js';
import { describeValue } from '../core/validation.js';
import { ServiceAtCapacityError } from '../errors/ServiceAtCapacityError.js';
import { AbortListeners } from '../internal/AbortListeners.js';
import { isAbortSignal } from '../internal/isAbortSignal.js';
import { checkCapacity } from './internal/checkCapacity.js';
import { RoomBroadcast } from './internal/RoomBroadcast.js';
import { type CallContext, TrackedCall } from './internal/TrackedCall.js';
import { trackedServiceSettings } from './internal/trackedServiceSettings.js';
import type { TrackedServiceOptions } from './TrackedServiceOptions.js';

/**
 * A {@link HandshakeProvider} around any async function: it counts the calls in flight, refuses work
 * at once when `capacity` are running, and advertises freed room as credits.
 *
 * - Admission is synchronous: `do()` checks and takes a slot in one step, so `active` never exceeds
 *   `capacity` however many callers, operators and subscriptions share the service.
 * - Every call frees its slot exactly once, when it settles: a Promise resolves or rejects, an
 *   Observable completes or errors, a plain value returns, or the handler throws.
 * - Cancellation: the handler's `signal` is the caller's (one of its own when the caller gave none,
 *   or with a `timeout`: then it aborts when the caller's does, or when the time is up; like
 *   `withHandshake`'s, a signal nobody listened to may serve a later call once this one is over). When
 *   the caller aborts, an Observable handler is unsubscribed, its slot freed and the call rejected with
 *   the signal's reason at once; a Promise handler sees the aborted signal and its slot is freed when
 *   it settles (a handler that ignores the signal keeps its slot until then). A `timeout` frees the
 *   slot and rejects with a {@link CallTimeoutError} at once, whatever the handler does.
 * - The outcome comes first: the slot is freed as the call settles, but the room is announced on
 *   `credits$` only after the handlers the caller attached to the returned promise have run. So a
 *   caller such as {@link withHandshake} learns that a call failed before the room it freed wakes any
 *   waiting work.
 * - `setCapacity` below `active` lets running work finish and admits nothing until `active` falls
 *   below the new capacity.
 * - `credits$` is a broadcast of room, not a ledger of spendable credit: every subscriber receives, on
 *   subscription, the free room at that moment (when there is any), then `1` each time a call frees a
 *   slot while room exists (never while `active >= capacity`), and the added room at once when
 *   `setCapacity` raises it. Several subscribers may listen, and each hears about the same room, so a
 *   grant is a hint to try, not a reservation: `do()` still refuses when another caller took the slot
 *   first (`withHandshake` asks `isReady()` before each call, so this is harmless there). Room freed
 *   but not yet announced is not granted to a new subscriber twice. Lowering the
 *   capacity takes nothing back. Grants that become due while subscribers are being notified are
 *   delivered in one loop, never by recursion. `credits$` never completes.
 *
 * @example
 * ```ts
 * import { TrackedService } from 'rxjs-backpressure';
 *
 * const lookups = new TrackedService({
 *   capacity: 2,
 *   timeout: 5_000,
 *   // `signal` is this call's own: aborted when its caller gives up or the 5 s are up.
 *   handler: async (id: string, signal) => (await fetch(`https://example.com/${id}`, { signal })).status,
 * });
 * lookups.credits$.subscribe((room) => console.log(`room for ${room} more`)); // 2 at once
 * void lookups.do('a');
 * void lookups.do('b');
 * console.log(lookups.isReady(), lookups.active); // false 2
 * lookups.do('c').catch((error) => console.log(error.code)); // 'ERR_SERVICE_AT_CAPACITY'
 * ```
 */
export class TrackedService<Req, Res> implements HandshakeProvider<Req, Res> {
  /** Free room: on subscription the room now, then each slot freed and each raise (see above). */
  readonly credits$: Observable<number>;

  #capacity: number;
  #active = 0;
  readonly #room: RoomBroadcast;
  readonly #calls: CallContext<Req, Res>;

  constructor(options: TrackedServiceOptions<Req, Res>) {
    const settings = trackedServiceSettings(options);
    this.#capacity = settings.capacity;
    this.#room = new RoomBroadcast(() => this.#free());
    this.credits$ = this.#room.credits$;
    const probe = settings.monitor?.attachService(this);
    this.#calls = {
      handler: settings.handler,
      timeout: settings.timeout,
      aborts: new AbortListeners(),
      probe,
      observer: settings.observer,
      release: () => {
        this.#active--;
        this.#room.slotFreed();
      },
    };
  }

  /** How many calls may run at once (`0`: closed). */
  get capacity(): number {
    return this.#capacity;
  }

  /** Calls started and not yet settled. */
  get active(): number {
    return this.#active;
  }

  /**
   * Changes the capacity: a non-negative safe integer or `Infinity`, else a `TypeError` or
   * `RangeError` naming the value. Raising it grants the new room on `credits$` at once; lowering it
   * below `active` admits nothing until enough running calls have settled.
   */
  setCapacity(n: number): void {
    const capacity = checkCapacity(n, 'setCapacity(n): n');
    const before = this.#free();
    this.#capacity = capacity;
    const after = this.#free();
    if (after > before) this.#room.grant(after - before);
  }

  /** Whether one more call would be admitted now. O(1), allocates nothing. */
  isReady(): boolean {
    return this.#active < this.#capacity;
  }

  /**
   * Runs `handler(req)` when there is room, else rejects at once with a
   * {@link ServiceAtCapacityError} (carrying `capacity` and `active`) without calling it. A signal
   * that is already aborted rejects with its reason, also without calling the handler. An Observable
   * result resolves with its last value; one that completes empty rejects with a
   * `BackpressureError` of code `'ERR_EMPTY_RESULT'`. A `signal` that is not an AbortSignal throws a
   * `TypeError`.
   */
  do(req: Req, signal?: AbortSignal): Promise<Res> {
    if (signal !== undefined && !isAbortSignal(signal)) {
      throw new TypeError(`do(req, signal): signal must be an AbortSignal, got ${describeValue(signal)}.`);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#active >= this.#capacity) {
      return Promise.reject(new ServiceAtCapacityError({ capacity: this.#capacity, active: this.#active }));
    }
    const inFlight = ++this.#active;
    this.#room.enterCall();
    try {
      return new Promise<Res>((resolve, reject) =>
        new TrackedCall(this.#calls, inFlight, signal, resolve, reject).run(req, signal),
      );
    } finally {
      this.#room.leaveCall();
    }
  }

  /** Room for more calls now. */
  #free(): number {
    return this.#capacity > this.#active ? this.#capacity - this.#active : 0;
  }
}
