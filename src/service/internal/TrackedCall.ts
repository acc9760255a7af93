import { isObservable, type Observable, type SchedulerLike, Subscription } from 'rxjs';
import { CallTimeoutError } from '../../errors/CallTimeoutError.js';
import type { AbortListeners } from '../../internal/AbortListeners.js';
import { followResult } from '../../internal/followResult.js';
import type { Settlement } from '../../internal/LastValue.js';
import { callSignals } from '../../internal/SignalPool.js';
import type { ServiceProbe } from '../../monitor/ServiceProbe.js';
import type { CallObserver } from './CallObserver.js';

/** A call's time limit and the scheduler that times it. */
export interface CallTimeout {
  readonly ms: number;
  readonly scheduler: SchedulerLike;
}

/** What every call of one service shares: made once per service, read by each {@link TrackedCall}. */
export interface CallContext<Req, Res> {
  readonly handler: (req: Req, signal: AbortSignal) => Promise<Res> | Observable<Res> | Res;
  readonly timeout: CallTimeout | undefined;
  readonly aborts: AbortListeners;
  readonly probe: ServiceProbe | undefined;
  readonly observer: CallObserver | undefined;
  /** Frees the call's slot (its room announced once the caller heard the outcome). */
  release(): void;
}

/**
 * One call of a `TrackedService`, from the handler's start to the one moment it settles: the outcome
 * first, then the slot. One object a call, which is also the settlement `followResult` reports to, so
 * a call allocates no closures of its own unless it needs cleaning up (a forwarded abort, a timer, an
 * Observable the caller may stop). Apart from the service because it is the per-call half of it.
 */
export class TrackedCall<Req, Res> implements Settlement<Res> {
  readonly #context: CallContext<Req, Res>;
  readonly #resolve: (value: Res) => void;
  readonly #reject: (error: unknown) => void;
  #settled = false;
  /** Built only when the call needs cleaning up: a forwarded abort, a timer, an Observable. */
  #owner: Subscription | undefined = undefined;
  /** The handler's own signal: none given, or a timeout that must abort it while the caller's stays. */
  readonly #own: AbortController | undefined;
  /** The signal the handler sees: the caller's, or its own. */
  readonly #signal: AbortSignal;
  readonly #startedAt: number | undefined;
  /** For the observer: when the handler started, and how many calls ran then. */
  #observedAt = 0;
  readonly #inFlight: number;

  constructor(
    context: CallContext<Req, Res>,
    inFlight: number,
    signal: AbortSignal | undefined,
    resolve: (value: Res) => void,
    reject: (error: unknown) => void,
  ) {
    this.#context = context;
    this.#inFlight = inFlight;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#startedAt = context.probe?.callStarted();
    this.#own = signal === undefined || context.timeout !== undefined ? callSignals.take() : undefined;
    this.#signal = this.#own?.signal ?? (signal as AbortSignal);
  }

  /** Runs the handler with `req`; `signal` is the caller's. */
  run(req: Req, signal: AbortSignal | undefined): void {
    const { aborts, timeout } = this.#context;
    const own = this.#own;
    if (own !== undefined && signal !== undefined) {
      const forward = (): void => own.abort(signal.reason);
      aborts.add(signal, forward);
      this.#owner = new Subscription(() => aborts.delete(signal, forward));
    }
    if (timeout !== undefined) {
      this.#owner ??= new Subscription();
      this.#owner.add(
        timeout.scheduler.schedule(() => {
          const error = new CallTimeoutError(timeout.ms);
          own?.abort(error);
          this.reject(error);
        }, timeout.ms),
      );
    }

    let result: Promise<Res> | Observable<Res> | Res;
    try {
      if (this.#context.observer !== undefined) this.#observedAt = this.#context.observer.callStarted();
      result = this.#context.handler(req, this.#signal);
    } catch (error) {
      this.reject(error);
      return;
    }

    if (signal !== undefined && isObservable(result)) {
      // The caller gave up: an Observable can be stopped, so the call ends at once.
      const onAbort = (): void => this.reject(signal.reason);
      if (signal.aborted) {
        onAbort();
        return;
      }
      this.#owner ??= new Subscription();
      aborts.add(signal, onAbort);
      this.#owner.add(() => aborts.delete(signal, onAbort));
    }
    // Through `owner` when there is one, so a timeout or an abort stops even a synchronous Observable.
    followResult(result, 'the handler', 'value', this.#owner, this);
  }

  resolve(value: Res): void {
    this.#settle(false, value);
  }

  reject(error: unknown): void {
    this.#settle(true, error);
  }

  /** Ends the call once: the observer and the caller hear the outcome, then the slot is freed. */
  #settle(failure: boolean, outcome: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#owner?.unsubscribe();
    const context = this.#context;
    context.observer?.callSettled(this.#observedAt, this.#inFlight, failure, outcome, this.#signal);
    if (failure) this.#reject(outcome);
    else this.#resolve(outcome as Res);
    context.release();
    const own = this.#own;
    if (own !== undefined && !own.signal.aborted) callSignals.give(own);
    if (this.#startedAt !== undefined) context.probe?.callSettled(this.#startedAt);
  }
}
