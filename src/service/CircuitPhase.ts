import type { SchedulerLike } from 'rxjs';
import { assertNever } from '../internal/assertNever.js';
import { invariant } from '../internal/developmentChecks.js';

/**
 * Where a circuit stands. Each period (from one turn to the next) has its own `epoch`, so an outcome
 * carries the epoch its call started in, and one from an earlier period is ignored.
 */
export type CircuitPhase =
  /** Calls go through; `failures` consecutive ones so far. */
  | { readonly state: 'closed'; readonly epoch: number; readonly failures: number }
  /** Nothing goes through until `until` (scheduler time). */
  | { readonly state: 'open'; readonly epoch: number; readonly until: number }
  /** `trials` trial calls are running, not freed without a verdict. */
  | { readonly state: 'half-open'; readonly epoch: number; readonly trials: number };

/** How a call ended, for the circuit: a failure, a success, or neither. */
export type Outcome = 'success' | 'failure' | 'neutral';

/** What moves a circuit. */
export type CircuitEvent =
  /** A call goes through (the caller checked the circuit lets it). */
  | { readonly kind: 'call-started' }
  /** A call started in period `epoch` ended. */
  | { readonly kind: 'call-settled'; readonly epoch: number; readonly outcome: Outcome }
  /** `resetTimeout` has passed since the circuit opened. */
  | { readonly kind: 'reset-elapsed' };

/** What a transition needs to know of the breaker's options. */
export interface CircuitLimits {
  readonly failureThreshold: number;
  readonly resetTimeout: number;
  readonly scheduler: SchedulerLike;
}

export const initialCircuitPhase: CircuitPhase = { state: 'closed', epoch: 0, failures: 0 };
export const callStarted: CircuitEvent = { kind: 'call-started' };
export const resetElapsed: CircuitEvent = { kind: 'reset-elapsed' };

function opened(epoch: number, limits: CircuitLimits): CircuitPhase {
  return { state: 'open', epoch, until: limits.scheduler.now() + limits.resetTimeout };
}

/**
 * Every transition of a circuit breaker, in one place. A turn (a change of state) starts a new period;
 * an event that changes nothing returns `phase` itself.
 */
export function nextCircuitPhase(
  phase: CircuitPhase,
  event: CircuitEvent,
  limits: CircuitLimits,
): CircuitPhase {
  const epoch = phase.epoch + 1;
  switch (event.kind) {
    case 'call-started':
      return phase.state === 'half-open'
        ? { state: 'half-open', epoch: phase.epoch, trials: phase.trials + 1 }
        : phase;
    case 'reset-elapsed':
      return phase.state === 'open' ? { state: 'half-open', epoch, trials: 0 } : phase;
    case 'call-settled': {
      if (event.epoch !== phase.epoch) return phase;
      switch (phase.state) {
        case 'closed':
          if (event.outcome === 'success') {
            return phase.failures === 0 ? phase : { state: 'closed', epoch: phase.epoch, failures: 0 };
          }
          if (event.outcome === 'neutral') return phase;
          return phase.failures + 1 >= limits.failureThreshold
            ? opened(epoch, limits)
            : { state: 'closed', epoch: phase.epoch, failures: phase.failures + 1 };
        case 'half-open':
          // The first verdict of a trial decides; a neutral one frees its place for another.
          if (event.outcome === 'success') return { state: 'closed', epoch, failures: 0 };
          if (event.outcome === 'failure') return opened(epoch, limits);
          return { state: 'half-open', epoch: phase.epoch, trials: phase.trials - 1 };
        case 'open':
          // No call starts while open, so none settles in an open period.
          return phase;
        default:
          return assertNever(phase);
      }
    }
    default:
      return assertNever(event);
  }
}

/**
 * The development check of a phase, at each transition: what `do()` and the threshold guarantee,
 * never more trials than places, never a closed circuit at the threshold.
 */
export function checkCircuitPhase(
  phase: CircuitPhase,
  failureThreshold: number,
  halfOpenMaxCalls: number,
): void {
  invariant(
    phase.state === 'half-open'
      ? phase.trials >= 0 && phase.trials <= halfOpenMaxCalls
      : phase.state === 'open' || phase.failures < failureThreshold,
    () => `the circuit reached an impossible phase: ${JSON.stringify(phase)}`,
  );
}
