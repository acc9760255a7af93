import { isObservable, Observable, type SchedulerLike, type Subscriber, Subscription } from 'rxjs';
import type { HandshakeProvider } from '../core/HandshakeProvider.js';
import { describeValue, isNonNegativeCount, optionsObject, refuseUnknownKeys } from '../core/validation.js';
import { CallTimeoutError } from '../errors/CallTimeoutError.js';
import { ServiceAtCapacityError } from '../errors/ServiceAtCapacityError.js';
import { AbortListeners } from '../internal/AbortListeners.js';
import { followResult } from '../internal/followResult.js';
import { isAbortSignal } from '../internal/isAbortSignal.js';
import { LastValue } from '../internal/LastValue.js';
import { callSignals } from '../internal/SignalPool.js';
import { schedulerOption } from '../internal/schedulerOption.js';
import { timeoutOption } from '../internal/timeoutOption.js';
import type { FlowMonitor } from '../monitor/FlowMonitor.js';
import { monitorOption } from '../monitor/monitorOption.js';
import type { ServiceProbe } from '../monitor/ServiceProbe.js';

/**
 * Options of {@link TrackedService}.
 *
 * @example
 * ```ts
 * import { FlowMonitor, TrackedService, type TrackedServiceOptions } from 'rxjs-backpressure';
 *
 * const options: TrackedServiceOptions<string, number> = {
 *   capacity: 4,
 *   handler: async (url, signal) => (await fetch(url, { signal })).status,
 *   monitor: new FlowMonitor({ name: 'fetcher' }),
 * };
 * const fetcher = new TrackedService(options);
 * ```
 */
export interface TrackedServiceOptions<Req, Res> {
  /**
   * How many calls may run at once: a non-negative safe integer, `0` meaning "closed", or `Infinity`
   * for no limit.
   */
  readonly capacity: number;
  /**
   * The work. It may return a Promise, an Observable (its last value is the result) or a plain value,
   * or throw. `signal` aborts when the caller's signal aborts.
   */
  readonly handler: (req: Req, signal: AbortSignal) => Promise<Res> | Observable<Res> | Res;
  /**
   * Reports this service's calls in flight, capacity, utilization and latency (p50/p99 of the recent
   * calls, timed by the monitor's clock) to the monitor. One service per monitor.
   */
  readonly monitor?: FlowMonitor | undefined;
  /**
   * Milliseconds a call may run (positive, at most 2^31 - 1): then the handler's signal aborts with a
   * `CallTimeoutError`, the slot is freed and the call rejects with that error at once, even when the
   * handler ignores the signal. Default: no limit.
   */
  readonly timeout?: number | undefined;
  /** The timers for `timeout`. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
}

/**
 * Announcements of freed room, each made by a microtask queued after the call's outcome was settled:
 * the caller's handlers on the promise `do()` returned are queued by then, so they run first and learn
 * the outcome before the room wakes anyone. A call settled inside `do()` (before the caller could attach
 * handlers) waits for the microtask after that. One microtask serves every slot freed before it was
 * queued; nothing is allocated per announcement.
 */
class LateAnnouncements {
  /** `do()` calls running now: a slot freed meanwhile was freed before its caller could listen. */
  inCall = 0;
  /** Slots the queued microtask announces. */
  #due = 0;
  /** Slots freed after it was queued, or inside `do()`: announced by the microtask after it. */
  #later = 0;
  #queued = false;
  readonly #announce: () => void;

  constructor(announce: () => void) {
    this.#announce = announce;
  }

  /** Slots freed and not announced yet. */
  get waiting(): number {
    return this.#due + this.#later;
  }

  add(): void {
    if (this.#queued || this.inCall > 0) this.#later++;
    else this.#due++;
    if (!this.#queued) {
      this.#queued = true;
      queueMicrotask(this.#flush);
    }
  }

  readonly #flush = (): void => {
    let due = this.#due;
    this.#due = this.#later;
    this.#later = 0;
    this.#queued = this.#due > 0;
    if (this.#queued) queueMicrotask(this.#flush);
    for (; due > 0; due--) this.#announce();
  };
}

/** A call's time limit and the scheduler that times it. */
interface CallTimeout {
  readonly ms: number;
  readonly scheduler: SchedulerLike;
}

/** Checks a capacity: a non-negative safe integer or `Infinity`; names `argument` and the value. */
function checkCapacity(value: unknown, argument: string): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${argument} must be a number, got ${describeValue(value)}.`);
  }
  if (value === Number.POSITIVE_INFINITY || isNonNegativeCount(value)) return value;
  throw new RangeError(
    `${argument} must be a non-negative safe integer (0 closes the service) or Infinity, got ${describeValue(value)}.`,
  );
}

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

  readonly #handler: (req: Req, signal: AbortSignal) => Promise<Res> | Observable<Res> | Res;
  #capacity: number;
  #active = 0;
  /** Replaced, never mutated, on (un)subscription, so a broadcast in progress walks a stable list. */
  #listeners: readonly Subscriber<number>[] = [];
  /** Room freed while a broadcast was running, handed out by that broadcast's loop. */
  #pending = 0;
  /** Slots freed whose room is announced once their callers heard the outcome. */
  readonly #freed = new LateAnnouncements(() => {
    if (this.#active < this.#capacity) this.#grant(1);
  });
  #broadcasting = false;
  readonly #aborts = new AbortListeners();
  readonly #probe: ServiceProbe | undefined;
  readonly #timeout: CallTimeout | undefined;

  constructor(options: TrackedServiceOptions<Req, Res>) {
    const checked = optionsObject(options, 'options');
    refuseUnknownKeys(checked, ['capacity', 'handler', 'monitor', 'timeout', 'scheduler'], 'options');
    this.#capacity = checkCapacity(checked.capacity, 'options.capacity');
    const handler = checked.handler;
    if (typeof handler !== 'function') {
      throw new TypeError(`options.handler must be a function, got ${describeValue(handler)}.`);
    }
    this.#handler = handler;
    const scheduler = schedulerOption(checked.scheduler, 'options.scheduler');
    this.#timeout =
      checked.timeout === undefined
        ? undefined
        : {
            ms: timeoutOption(checked.timeout, 'options.timeout'),
            scheduler,
          };
    this.credits$ = new Observable<number>((subscriber) => {
      this.#listeners = [...this.#listeners, subscriber];
      // Room freed but not yet broadcast or announced will reach this subscriber later.
      const room = this.#room() - this.#pending - this.#freed.waiting;
      if (room > 0) this.#deliver(subscriber, room);
      return () => {
        this.#listeners = this.#listeners.filter((listener) => listener !== subscriber);
      };
    });
    this.#probe = monitorOption(checked.monitor, 'options.monitor')?.attachService(this);
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
    const before = this.#room();
    this.#capacity = capacity;
    const after = this.#room();
    if (after > before) this.#grant(after - before);
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
    this.#active++;
    this.#freed.inCall++;
    try {
      return new Promise<Res>((resolve, reject) => this.#run(req, signal, resolve, reject));
    } finally {
      this.#freed.inCall--;
    }
  }

  #run(
    req: Req,
    signal: AbortSignal | undefined,
    resolve: (value: Res) => void,
    reject: (error: unknown) => void,
  ): void {
    let settled = false;
    // Built only when the call needs cleaning up: a forwarded abort, a timer, an Observable.
    let owner: Subscription | undefined;
    const startedAt = this.#probe?.callStarted();
    const timeout = this.#timeout;
    // The handler's own signal: none given, or a timeout that must abort it while the caller's stays.
    const own = signal === undefined || timeout !== undefined ? callSignals.take() : undefined;
    const handlerSignal = own?.signal ?? (signal as AbortSignal);
    /** Ends the call once: the outcome first, then the slot (announced after the caller heard it). */
    const settle = (succeeded: boolean, outcome: unknown): void => {
      if (settled) return;
      settled = true;
      owner?.unsubscribe();
      if (succeeded) resolve(outcome as Res);
      else reject(outcome);
      this.#release();
      if (own !== undefined && !own.signal.aborted) callSignals.give(own);
      if (startedAt !== undefined) this.#probe?.callSettled(startedAt);
    };
    const fail = (error: unknown): void => settle(false, error);
    if (own !== undefined && signal !== undefined) {
      const forward = (): void => own.abort(signal.reason);
      this.#aborts.add(signal, forward);
      owner = new Subscription(() => this.#aborts.delete(signal, forward));
    }
    if (timeout !== undefined) {
      owner ??= new Subscription();
      owner.add(
        timeout.scheduler.schedule(() => {
          const error = new CallTimeoutError(timeout.ms);
          own?.abort(error);
          fail(error);
        }, timeout.ms),
      );
    }

    let result: Promise<Res> | Observable<Res> | Res;
    try {
      result = this.#handler(req, handlerSignal);
    } catch (error) {
      fail(error);
      return;
    }

    if (signal !== undefined && isObservable(result)) {
      // The caller gave up: an Observable can be stopped, so the call ends at once.
      const onAbort = (): void => fail(signal.reason);
      if (signal.aborted) {
        onAbort();
        return;
      }
      owner ??= new Subscription();
      this.#aborts.add(signal, onAbort);
      owner.add(() => this.#aborts.delete(signal, onAbort));
    }
    // Through `owner` when there is one, so a timeout or an abort stops even a synchronous Observable.
    followResult(
      result,
      'the handler',
      'value',
      owner,
      new LastValue({ resolve: (value: Res) => settle(true, value), reject: fail }, 'the handler'),
    );
  }

  #room(): number {
    return this.#capacity > this.#active ? this.#capacity - this.#active : 0;
  }

  /** Frees a slot at once; its room is announced after the caller heard the outcome (see above). */
  #release(): void {
    this.#active--;
    // No room freed (the capacity was cut below active), or nobody to tell: a subscriber that comes
    // later is given the room there is then.
    if (this.#active >= this.#capacity || this.#listeners.length === 0) return;
    this.#freed.add();
  }

  #grant(n: number): void {
    this.#pending += n;
    if (!this.#broadcasting) this.#deliver(undefined, 0);
  }

  /**
   * Hands `room` to a new subscriber (when given), then broadcasts pending room until none is left.
   * Grants that fall due re-entrantly (a subscriber calls `do()` and the call settles synchronously)
   * only add to `#pending` and are handed out by the loop of the outermost call.
   */
  #deliver(subscriber: Subscriber<number> | undefined, room: number): void {
    if (this.#broadcasting) {
      subscriber?.next(room);
      return;
    }
    this.#broadcasting = true;
    try {
      subscriber?.next(room);
      while (this.#pending > 0) {
        const grant = this.#pending;
        this.#pending = 0;
        for (const listener of this.#listeners) listener.next(grant);
      }
    } finally {
      this.#broadcasting = false;
    }
  }
}
