import type { Observable } from 'rxjs';
import type { CircuitState } from '../core/CircuitState.js';
import type { HandshakeProvider } from '../core/HandshakeProvider.js';
import type { Service } from '../core/Service.js';
import type { CircuitBreakerOptions } from './CircuitBreakerOptions.js';
import { Breaker } from './internal/Breaker.js';

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
