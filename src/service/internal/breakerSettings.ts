import { knownOptions, numberOption, optionalFunction } from '../../core/validation.js';
import { isServiceAtCapacity } from '../../internal/isServiceAtCapacity.js';
import { schedulerOption } from '../../internal/schedulerOption.js';
import { monitorOption } from '../../monitor/monitorOption.js';
import type { ProbeBoard } from '../../monitor/ProbeBoard.js';
import type { CircuitBreakerOptions } from '../CircuitBreakerOptions.js';
import type { CircuitLimits } from '../CircuitPhase.js';

/**
 * A breaker's options, resolved once: read on calls and turns only, so they live in one plain object
 * of fixed shape rather than in fields of the breaker (the fast-properties budget, README "Design
 * notes").
 */
export interface BreakerSettings extends CircuitLimits {
  readonly halfOpenMaxCalls: number;
  readonly isFailure: (error: unknown) => boolean;
  readonly monitor: ProbeBoard | undefined;
}

const optionKeys = [
  'failureThreshold',
  'resetTimeout',
  'halfOpenMaxCalls',
  'isFailure',
  'scheduler',
  'monitor',
];

const positiveInteger = (n: number): boolean => Number.isSafeInteger(n) && n >= 1;

/**
 * Checks a circuit breaker's options when `circuitBreaker` is called, each error naming the option
 * and the value; fills in the defaults. Apart from the breaker, which is the state machine alone.
 */
export function breakerSettings(options: CircuitBreakerOptions): BreakerSettings {
  const given = knownOptions(options, optionKeys, 'options');
  const failureThreshold = numberOption(
    given.failureThreshold,
    'options.failureThreshold',
    'a positive integer',
    positiveInteger,
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
    positiveInteger,
  );
  const isFailure =
    optionalFunction(given.isFailure, 'options.isFailure') ?? ((e) => !isServiceAtCapacity(e));
  const scheduler = schedulerOption(given.scheduler, 'options.scheduler');
  const monitor = monitorOption(given.monitor, 'options.monitor');
  return { failureThreshold, resetTimeout, halfOpenMaxCalls, isFailure, scheduler, monitor };
}
