import { Observable, type SchedulerLike, Subject, type Subscriber, type Subscription } from 'rxjs';
import type { CircuitState } from '../core/CircuitState.js';
import type { HandshakeProvider } from '../core/HandshakeProvider.js';
import type { Service } from '../core/Service.js';
import { numberOption, optionalFunction, optionsObject, refuseUnknownKeys } from '../core/validation.js';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { CircuitOpenError } from '../errors/CircuitOpenError.js';
import { addCredits } from '../internal/addCredits.js';
import { assertService } from '../internal/assertService.js';
import { callService } from '../internal/callService.js';
import { developmentChecks, invariant } from '../internal/developmentChecks.js';
import { isServiceAtCapacity } from '../internal/isServiceAtCapacity.js';
import { reportUnhandledError } from '../internal/reportUnhandledError.js';
import { schedulerOption } from '../internal/schedulerOption.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';
import type { FlowMonitor } from '../monitor/FlowMonitor.js';
import { monitorOption } from '../monitor/monitorOption.js';
import {
  type CircuitEvent,
  type CircuitLimits,
  type CircuitPhase,
  callStarted,
  initialCircuitPhase,
  nextCircuitPhase,
  type Outcome,
  resetElapsed,
} from './CircuitPhase.js';

/**
 * Options of {@link circuitBreaker}. Every one is checked when `circuitBreaker` is called.
 *
 * @example
 * ```ts
 * import type { CircuitBreakerOptions } from 'rxjs-backpressure';
 *
 * const options: CircuitBreakerOptions = {
 *   failureThreshold: 5,
 *   resetTimeout: 30_000,
 *   halfOpenMaxCalls: 2,
 *   isFailure: (error) => error instanceof DOMException && error.name === 'TimeoutError', // only timeouts
 * };
 * ```
 */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit: a positive integer. */
  readonly failureThreshold: number;
  /** Milliseconds the circuit stays open before it turns half-open: finite, `>= 0`. */
  readonly resetTimeout: number;
  /** Trial calls let through while half-open: a positive integer. Default 1. */
  readonly halfOpenMaxCalls?: number;
  /**
   * Whether an error of the service counts as a failure. Default: every error except the handshake's
   * `ServiceAtCapacityError` (recognised by its code), since a refusal says the service is busy, not
   * broken. An error that is not a failure neither counts nor resets the count. A throw counts the
   * call as a failure and is reported as unhandled.
   */
  readonly isFailure?: (error: unknown) => boolean;
  /** The clock and the timer for `resetTimeout`. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Reports the breaker's state to the monitor (one breaker per monitor; see `alerts.breakerOpen`). */
  readonly monitor?: FlowMonitor;
}

/**
 * A {@link Service} guarded by {@link circuitBreaker}.
 *
 * @example
 * ```ts
 * import { type CircuitBreaker, circuitBreaker, TrackedService } from 'rxjs-backpressure';
 *
 * const search = new TrackedService({ capacity: 4, handler: async (query: string) => query.length });
 * const guarded: CircuitBreaker<string, number> = circuitBreaker(search, {
 *   failureThreshold: 3,
 *   resetTimeout: 5_000,
 * });
 * console.log(guarded.state, guarded.isReady()); // 'closed' true
 * await guarded.do('rxjs');
 * ```
 */
export interface CircuitBreaker<Req, Res> extends HandshakeProvider<Req, Res> {
  /** The state now (reading it may complete a due open → half-open turn). */
  readonly state: CircuitState;
  /** The state on subscribe, then each change. */
  readonly state$: Observable<CircuitState>;
  /** Runs the work on the service, or rejects at once with `CircuitOpenError`. Always a Promise. */
  do(req: Req, signal?: AbortSignal): Promise<Res>;
}

/** A breaker's options, resolved once. */
interface BreakerSettings extends CircuitLimits {
  readonly halfOpenMaxCalls: number;
  readonly isFailure: (error: unknown) => boolean;
}

/** What state$ and credits$ hear of: each turn, and each trial place freed. */
type Announcement = CircuitState | 'trial-freed';

class Breaker<Req, Res> implements CircuitBreaker<Req, Res> {
  // Twelve properties, the private brand included: the fast-properties budget of a class built per
  // call (README, "Design notes"). The options live in `#settings`, where the circuit stands in `#phase`,
  // moved only by `nextCircuitPhase`.
  readonly state$: Observable<CircuitState>;
  readonly credits$: Observable<number>;

  readonly #service: Service<Req, Res>;
  readonly #settings: BreakerSettings;
  readonly #settled: Subject<number> | undefined;
  #phase: CircuitPhase = initialCircuitPhase;
  /** The open → half-open timer: it runs only while the circuit is open and `#listeners` > 0. */
  #timer: Subscription | undefined = undefined;
  /** Subscribers of state$ and credits$. */
  #listeners = 0;

  readonly #events = new Subject<Announcement>();
  /** Announcements waiting to go out, so a turn made by a listener is heard after the one it reacts to. */
  readonly #pending: Announcement[] = [];
  #publishing = false;

  constructor(service: Service<Req, Res>, options: CircuitBreakerOptions) {
    assertService(service, 'circuitBreaker(service)');
    const given = optionsObject(options, 'options');
    refuseUnknownKeys(
      given,
      ['failureThreshold', 'resetTimeout', 'halfOpenMaxCalls', 'isFailure', 'scheduler', 'monitor'],
      'options',
    );
    this.#service = service;
    const failureThreshold = numberOption(
      given.failureThreshold,
      'options.failureThreshold',
      'a positive integer',
      (n) => Number.isSafeInteger(n) && n >= 1,
    );
    const resetTimeout = numberOption(
      given.resetTimeout,
      'options.resetTimeout',
      'a finite number of milliseconds >= 0',
      (n) => Number.isFinite(n) && n >= 0,
    );
    const halfOpenMaxCalls = numberOption(
      given.halfOpenMaxCalls ?? 1,
      'options.halfOpenMaxCalls',
      'a positive integer',
      (n) => Number.isSafeInteger(n) && n >= 1,
    );
    const isFailure =
      optionalFunction(given.isFailure, 'options.isFailure') ?? ((e) => !isServiceAtCapacity(e));
    const scheduler = schedulerOption(given.scheduler, 'options.scheduler');
    this.#settings = { failureThreshold, resetTimeout, halfOpenMaxCalls, isFailure, scheduler };
    /** The room the service advertises: its own credits$, or one credit per call that settles here. */
    let room: Observable<number>;
    if ('credits$' in service) {
      room = toCreditSignal(service as HandshakeProvider<Req, Res>, 'service');
      this.#settled = undefined;
    } else {
      this.#settled = new Subject<number>();
      room = this.#settled;
    }

    this.state$ = new Observable<CircuitState>((subscriber) => {
      this.#listen(subscriber);
      let last: CircuitState | undefined;
      const emit = (state: CircuitState): void => {
        if (state === last) return;
        last = state;
        subscriber.next(state);
      };
      subscriber.add(
        this.#events.subscribe((event) => {
          if (event !== 'trial-freed') emit(event);
        }),
      );
      emit(this.state);
    });

    this.credits$ = new Observable<number>((subscriber) => {
      this.#refresh();
      this.#listen(subscriber);
      // Room the service advertises while the circuit is not closed: handed over when it closes.
      let withheld = 0;
      subscriber.add(
        this.#events.subscribe((event) => {
          if (event === 'half-open') {
            subscriber.next(this.#settings.halfOpenMaxCalls);
          } else if (event === 'trial-freed') {
            subscriber.next(1);
          } else if (event === 'closed' && withheld > 0) {
            const grant = withheld;
            withheld = 0;
            subscriber.next(grant);
          }
        }),
      );
      const phase = this.#phase;
      if (phase.state === 'half-open' && phase.trials < this.#settings.halfOpenMaxCalls) {
        subscriber.next(this.#settings.halfOpenMaxCalls - phase.trials);
      }
      subscribeSafely(room, subscriber, {
        next: (grant) => {
          if (this.#phase.state === 'closed') subscriber.next(grant);
          else withheld = addCredits(withheld, grant);
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
    monitorOption(given.monitor, 'options.monitor')?.attachBreaker(this);
  }

  get state(): CircuitState {
    this.#refresh();
    return this.#phase.state;
  }

  isReady(): boolean {
    this.#refresh();
    const phase = this.#phase;
    if (phase.state === 'open') return false;
    if (phase.state === 'half-open' && phase.trials >= this.#settings.halfOpenMaxCalls) return false;
    return this.#service.isReady();
  }

  do(req: Req, signal?: AbortSignal): Promise<Res> {
    this.#refresh();
    const phase = this.#phase;
    if (phase.state === 'open') {
      const retryAfter = Math.max(0, phase.until - this.#settings.scheduler.now());
      return Promise.reject(new CircuitOpenError({ state: phase.state, retryAfter }));
    }
    if (phase.state === 'half-open' && phase.trials >= this.#settings.halfOpenMaxCalls) {
      return Promise.reject(new CircuitOpenError({ state: phase.state }));
    }
    this.#apply(callStarted);
    const { epoch } = phase;
    const work = callService(this.#service, req, signal);
    // Registered before the caller's handlers, so the caller already sees the state this call led to.
    work.then(
      () => this.#record(epoch, 'success'),
      (error: unknown) => this.#record(epoch, this.#classify(error, signal)),
    );
    return work;
  }

  #classify(error: unknown, signal: AbortSignal | undefined): Outcome {
    // The caller gave up: that says nothing about the service's health.
    if (signal?.aborted) return 'neutral';
    try {
      return this.#settings.isFailure(error) ? 'failure' : 'neutral';
    } catch (thrown) {
      reportUnhandledError(thrown);
      return 'failure';
    }
  }

  #record(epoch: number, outcome: Outcome): void {
    this.#apply({ kind: 'call-settled', epoch, outcome });
    this.#settled?.next(1);
  }

  /** Completes a due open → half-open turn when no timer did it (nobody was listening). */
  #refresh(): void {
    const phase = this.#phase;
    if (phase.state === 'open' && this.#settings.scheduler.now() >= phase.until) this.#apply(resetElapsed);
  }

  /** Moves the circuit; a turn cancels the timer of the period it ends and is announced. */
  #apply(event: CircuitEvent): void {
    const before = this.#phase;
    const after = nextCircuitPhase(before, event, this.#settings);
    if (developmentChecks) this.#checkPhase(after);
    this.#phase = after;
    if (after.state !== before.state) {
      this.#timer?.unsubscribe();
      this.#timer = undefined;
      this.#publish(after.state);
      this.#armTimer();
    } else if (after.state === 'half-open' && before.state === 'half-open' && after.trials < before.trials) {
      this.#publish('trial-freed');
    }
  }

  /** What `do()` and the threshold guarantee: never more trials than places, never a closed circuit at the threshold. */
  #checkPhase(phase: CircuitPhase): void {
    const { halfOpenMaxCalls, failureThreshold } = this.#settings;
    invariant(
      phase.state === 'half-open'
        ? phase.trials >= 0 && phase.trials <= halfOpenMaxCalls
        : phase.state === 'open' || phase.failures < failureThreshold,
      () => `the circuit reached an impossible phase: ${JSON.stringify(phase)}`,
    );
  }

  #armTimer(): void {
    const phase = this.#phase;
    if (phase.state !== 'open' || this.#listeners === 0 || this.#timer !== undefined) return;
    this.#timer = this.#settings.scheduler.schedule(
      () => {
        this.#timer = undefined;
        this.#apply(resetElapsed);
      },
      Math.max(0, phase.until - this.#settings.scheduler.now()),
    );
  }

  #listen(subscriber: Subscriber<unknown>): void {
    this.#listeners++;
    this.#armTimer();
    subscriber.add(() => {
      if (--this.#listeners > 0) return;
      this.#timer?.unsubscribe();
      this.#timer = undefined;
    });
  }

  #publish(event: Announcement): void {
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

/**
 * Guards `service` with a circuit breaker, the fail-safe for when backpressure is not enough: after
 * `failureThreshold` consecutive failures it stops calling a broken service for a while, then tries it
 * again carefully.
 *
 * - **closed**: calls go through. The circuit opens on exactly the `failureThreshold`-th consecutive
 *   failure; a success resets the count; errors that are not failures (by default the service's
 *   `ServiceAtCapacityError`) and calls whose `signal` was aborted neither count nor reset it.
 * - **open**: `isReady()` is false and `do()` rejects at once with a {@link CircuitOpenError} (its
 *   `retryAfter` says how long is left) without calling the service. After `resetTimeout` ms it turns
 *   half-open.
 * - **half-open**: exactly `halfOpenMaxCalls` trial calls go through, however many callers race for
 *   them; the rest are refused with a `CircuitOpenError` of state `'half-open'`. The first verdict
 *   decides: a trial success closes the circuit, a trial failure opens it for another `resetTimeout`.
 *   A trial that ends neutral frees its place for another.
 *
 * Outcomes of calls started in an earlier period (before the circuit opened, or an earlier trial) are
 * ignored. `isReady()` is also false whenever the service itself is not ready.
 *
 * `do()` always returns a Promise: for an Observable the service returns, the last value when it
 * completes (a `BackpressureError` of code `'ERR_EMPTY_RESULT'` when it has none); the caller's `signal`
 * is passed to the service, and an aborted signal also unsubscribes such an Observable at once.
 *
 * `credits$` forwards the service's own `credits$` while closed (for a plain `Service`, one credit per
 * call that settles through the breaker); while open it grants nothing and keeps that room, handing it
 * over when the circuit closes. On turning half-open it grants `halfOpenMaxCalls`, so a buffer waiting
 * in `withHandshake` resumes by itself, and one credit for each trial place freed.
 *
 * Lifetime: the breaker runs a timer only while it is open and something is subscribed to `state$` or
 * `credits$`; with nobody listening, the turn to half-open happens at the next `isReady()`, `do()` or
 * `state` read. So an idle breaker holds no timer and needs no disposal.
 *
 * @example
 * ```ts
 * import { circuitBreaker, TrackedService } from 'rxjs-backpressure';
 *
 * const payments = new TrackedService({
 *   capacity: 8,
 *   handler: async (cents: number) => ({ charged: cents }),
 * });
 * const guarded = circuitBreaker(payments, { failureThreshold: 5, resetTimeout: 10_000 });
 * guarded.state$.subscribe((state) => console.log('payments circuit', state)); // 'closed' first
 * await guarded.do(1_250);
 * ```
 */
export function circuitBreaker<Req, Res>(
  service: Service<Req, Res>,
  options: CircuitBreakerOptions,
): CircuitBreaker<Req, Res> {
  return new Breaker(service, options);
}
