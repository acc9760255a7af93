import type { Observable, Subscriber } from 'rxjs';
import type { Service } from '../../core/Service.js';
import { CallTimeoutError } from '../../errors/CallTimeoutError.js';
import { followResult } from '../../internal/followResult.js';
import type { Settlement } from '../../internal/LastValue.js';
import { callSignals } from '../../internal/SignalPool.js';
import type { UpstreamHandlers } from '../../internal/subscribeSafely.js';
import type { HandshakeCall } from './HandshakeCall.js';
import type { CallPolicy } from './resolveCallPolicy.js';

/** Where the outcome of an attempt goes: the calls of its subscription (`HandshakeCalls`). */
export interface AttemptOutcomes<T, R> {
  /** A value of the running attempt's result. */
  attemptValue(call: HandshakeCall<T>, value: R): void;
  attemptSucceeded(call: HandshakeCall<T>): void;
  /** The attempt threw, its result failed, or its `timeout` passed. */
  attemptFailed(call: HandshakeCall<T>, error: unknown): void;
}

/**
 * Starts one attempt of `call`: it takes a signal of its own, starts its `timeout`, calls `service.do()`
 * and follows the result to its end. Only what comes from the running attempt is passed on: an
 * attempt that timed out is abandoned, and what its result does later is ignored.
 */
export function startAttempt<T, R>(
  call: HandshakeCall<T>,
  service: Service<T, R>,
  policy: CallPolicy,
  owner: Subscriber<R>,
  outcomes: AttemptOutcomes<T, R>,
): void {
  call.phase = 'running';
  call.attempt++;
  const controller = callSignals.take();
  call.controller = controller;
  const { timeout, scheduler } = policy;
  if (timeout !== undefined) {
    call.timer = scheduler.schedule(() => timedOut(call, controller, timeout, outcomes), timeout);
  }
  let result: Promise<R> | Observable<R>;
  try {
    result = service.do(call.item, controller.signal);
  } catch (error) {
    if (settled(call, controller)) outcomes.attemptFailed(call, error);
    return;
  }
  const attempt = new Attempt(call, controller, outcomes);
  const inner = followResult(result, 'service.do(req)', 'refused', owner, attempt, attempt);
  if (inner !== undefined && call.controller === controller) call.inner = inner;
}

/**
 * The attempt of `controller` settled by itself, if it is still the running one: it ends, and its
 * signal may serve a later call (see SignalPool). Whether it was the running one.
 */
function settled<T>(call: HandshakeCall<T>, controller: AbortController): boolean {
  if (call.controller !== controller) return false;
  call.endAttempt();
  callSignals.give(controller);
  return true;
}

function timedOut<T, R>(
  call: HandshakeCall<T>,
  controller: AbortController,
  timeout: number,
  outcomes: AttemptOutcomes<T, R>,
): void {
  if (call.controller !== controller) return;
  call.timer = undefined;
  const error = new CallTimeoutError(timeout);
  call.endAttempt();
  controller.abort(error);
  outcomes.attemptFailed(call, error);
}

/**
 * What one attempt's result reports, passed on only while the attempt is still the running one: every
 * value of an Observable, or a Promise's one value. One object an attempt rather than closures: this is
 * on withHandshake's per-item path.
 */
class Attempt<T, R> implements UpstreamHandlers<R>, Settlement<R> {
  readonly #call: HandshakeCall<T>;
  readonly #controller: AbortController;
  readonly #outcomes: AttemptOutcomes<T, R>;

  constructor(call: HandshakeCall<T>, controller: AbortController, outcomes: AttemptOutcomes<T, R>) {
    this.#call = call;
    this.#controller = controller;
    this.#outcomes = outcomes;
  }

  next(value: R): void {
    if (this.#call.controller === this.#controller) this.#outcomes.attemptValue(this.#call, value);
  }

  error(error: unknown): void {
    if (settled(this.#call, this.#controller)) this.#outcomes.attemptFailed(this.#call, error);
  }

  complete(): void {
    if (settled(this.#call, this.#controller)) this.#outcomes.attemptSucceeded(this.#call);
  }

  resolve(value: R): void {
    this.next(value);
    this.complete();
  }

  reject(error: unknown): void {
    this.error(error);
  }
}
