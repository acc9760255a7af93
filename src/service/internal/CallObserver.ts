/**
 * What a {@link TrackedService} tells a service built on it about each call, at the two moments only
 * the service knows exactly: when the handler is about to run, and when the call settles (whatever
 * the handler returned). So `AdaptiveService` learns from its calls without telling a Promise, an
 * Observable and a plain value apart itself; `followResult` stays the one place that does.
 *
 * Handed over under the {@link observeCalls} key of the options, which is not public: a symbol key is
 * invisible to the unknown-option check, and nobody outside the library holds the symbol.
 */
export interface CallObserver {
  /** The handler is about to run: returns its start time, handed back to {@link callSettled}. */
  callStarted(): number;
  /**
   * The call that started at `startedAt` with `inFlight` calls running (itself included) settled:
   * told before its caller hears of it and before its slot is freed. `failure` is set when it failed,
   * the error then being `outcome`. `signal` is the handler's, aborted when the caller gave up or the
   * time ran out.
   */
  callSettled(
    startedAt: number,
    inFlight: number,
    failure: boolean,
    outcome: unknown,
    signal: AbortSignal,
  ): void;
}

/** The options key under which a service built on `TrackedService` hands it its {@link CallObserver}. */
export const observeCalls: unique symbol = Symbol('observeCalls');
