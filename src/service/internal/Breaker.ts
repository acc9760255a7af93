import { Observable, Subject, type Subscriber, type Subscription } from 'rxjs';
import type { CircuitState } from '../../core/CircuitState.js';
import type { HandshakeProvider } from '../../core/HandshakeProvider.js';
import type { Service } from '../../core/Service.js';
import { toCreditSignal } from '../../credits/toCreditSignal.js';
import { CircuitOpenError } from '../../errors/CircuitOpenError.js';
import { addCredits } from '../../internal/addCredits.js';
import { assertService } from '../../internal/assertService.js';
import { callService } from '../../internal/callService.js';
import { developmentChecks } from '../../internal/developmentChecks.js';
import { reportUnhandledError } from '../../internal/reportUnhandledError.js';
import { subscribeSafely } from '../../internal/subscribeSafely.js';
import type { CircuitBreakerOptions } from '../CircuitBreakerOptions.js';
import {
  type CircuitEvent,
  type CircuitPhase,
  callStarted,
  checkCircuitPhase,
  initialCircuitPhase,
  nextCircuitPhase,
  type Outcome,
  resetElapsed,
} from '../CircuitPhase.js';
import { type BreakerSettings, breakerSettings } from './breakerSettings.js';
import { CircuitAnnouncer } from './CircuitAnnouncer.js';

/**
 * The circuit breaker {@link circuitBreaker} returns: where the circuit stands (one phase, moved only
 * by `nextCircuitPhase`), what `do()` lets through, and how `state$` and `credits$` follow the turns.
 * Apart from the public factory and its types so that this file is the state machine alone.
 */
export class Breaker<Req, Res> implements HandshakeProvider<Req, Res> {
  // Within the fast-properties budget of 12, the private brand included (README, "Design notes"): the
  // options live in `#settings`, the announcements' queue in `#announcer`, where the circuit stands in
  // `#phase`, moved only by `nextCircuitPhase`.
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

  /** Each turn and each trial place freed, to state$ and credits$ in order. */
  readonly #announcer = new CircuitAnnouncer();

  constructor(service: Service<Req, Res>, options: CircuitBreakerOptions) {
    assertService(service, 'circuitBreaker(service)');
    this.#service = service;
    this.#settings = breakerSettings(options);
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
        this.#announcer.subscribe((event) => {
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
        this.#announcer.subscribe((event) => {
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
    this.#settings.monitor?.attachBreaker(this);
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
    if (developmentChecks)
      checkCircuitPhase(after, this.#settings.failureThreshold, this.#settings.halfOpenMaxCalls);
    this.#phase = after;
    if (after.state !== before.state) {
      this.#timer?.unsubscribe();
      this.#timer = undefined;
      this.#announcer.publish(after.state);
      this.#armTimer();
    } else if (after.state === 'half-open' && before.state === 'half-open' && after.trials < before.trials) {
      this.#announcer.publish('trial-freed');
    }
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
}
