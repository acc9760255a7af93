import { BackpressureError } from './BackpressureError.js';

/**
 * What a {@link CircuitOpenError} tells about the refusal.
 *
 * @example
 * ```ts
 * import { type CircuitOpenDetails, CircuitOpenError } from 'rxjs-backpressure';
 *
 * const details: CircuitOpenDetails = { state: 'open', retryAfter: 2_000 };
 * console.log(new CircuitOpenError(details).message);
 * // 'The circuit is open; it lets trial calls through in 2000 ms.'
 * ```
 */
export interface CircuitOpenDetails {
  /**
   * `'open'`: the circuit is open and lets nothing through; `'half-open'`: its trial calls are all
   * taken and it waits for their verdict.
   */
  readonly state?: 'open' | 'half-open';
  /** Milliseconds until the circuit turns half-open, when known (not while it is already half-open). */
  readonly retryAfter?: number | undefined;
}

/**
 * The circuit breaker's "no": the circuit is open (or half-open with every trial call taken), so the
 * work was refused at once and never reached the service. `retryAfter` says how long until trial calls
 * are let through again; `retryWithBackoff` waits at least that long when it retries this error.
 *
 * @example
 * ```ts
 * import { CircuitOpenError } from 'rxjs-backpressure';
 *
 * const error = new CircuitOpenError({ state: 'open', retryAfter: 5_000 });
 * console.log(error.code, error.retryAfter); // 'ERR_CIRCUIT_OPEN' 5000
 * ```
 */
export class CircuitOpenError extends BackpressureError {
  readonly state: 'open' | 'half-open';
  readonly retryAfter: number | undefined;

  constructor(details: CircuitOpenDetails = {}, message?: string) {
    const state = details.state ?? 'open';
    const when =
      details.retryAfter === undefined ? '' : `; it lets trial calls through in ${details.retryAfter} ms`;
    super(
      'ERR_CIRCUIT_OPEN',
      message ??
        (state === 'open'
          ? `The circuit is open${when}.`
          : 'The circuit is half-open and every trial call is taken; it waits for their verdict.'),
    );
    this.state = state;
    this.retryAfter = details.retryAfter;
  }
}
