import type { SchedulerLike } from 'rxjs';
import type { FlowMonitor } from '../monitor/FlowMonitor.js';

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
