/**
 * `'closed'`: calls go through and failures are counted; `'open'`: nothing goes through;
 * `'half-open'`: a few trial calls go through to decide between the two.
 *
 * @example
 * ```ts
 * import { type CircuitState, circuitBreaker, TrackedService } from 'rxjs-backpressure';
 *
 * const service = new TrackedService({ capacity: 2, handler: async (n: number) => n * 2 });
 * const breaker = circuitBreaker(service, { failureThreshold: 3, resetTimeout: 1_000 });
 * breaker.state$.subscribe((state: CircuitState) => {
 *   if (state === 'open') console.warn('the service keeps failing; calls are refused for a second');
 * });
 * ```
 */
export type CircuitState = 'closed' | 'open' | 'half-open';
