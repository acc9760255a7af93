import type { SchedulerLike } from 'rxjs';
import { isPositiveCount, numberOption, oneOf } from '../../core/validation.js';
import { timeoutOption } from '../../internal/timeoutOption.js';
import type { WithHandshakeOptions } from '../WithHandshakeOptions.js';
import { type ResolvedRetryOptions, resolveRetryOptions } from './resolveRetryOptions.js';

/**
 * What one `withHandshake` operator does with its calls: checked once, when the operator is created,
 * and shared by its subscriptions.
 */
export interface CallPolicy {
  readonly callErrors: 'fail' | 'drop';
  readonly retry: ResolvedRetryOptions | undefined;
  readonly timeout: number | undefined;
  /** `undefined`: the service's own `capacity`, read at each admission (it may change). */
  readonly concurrency: number | undefined;
  readonly scheduler: SchedulerLike;
}

const callErrorPolicies = ['fail', 'drop'] as const;

/** Checks the call options of `withHandshake` (`callErrors`, `retry`, `timeout`, `concurrency`). */
export function resolveCallPolicy<T>(
  options: WithHandshakeOptions<T> | undefined,
  scheduler: SchedulerLike,
): CallPolicy {
  const callErrors = oneOf(options?.callErrors ?? 'fail', callErrorPolicies, 'options.callErrors');
  const retry =
    options?.retry === undefined ? undefined : resolveRetryOptions(options.retry, 'options.retry', scheduler);
  const timeout =
    options?.timeout === undefined ? undefined : timeoutOption(options.timeout, 'options.timeout');
  const concurrency =
    options?.concurrency === undefined
      ? undefined
      : numberOption(
          options.concurrency,
          'options.concurrency',
          'a positive integer or Infinity',
          (n) => n === Number.POSITIVE_INFINITY || isPositiveCount(n),
        );
  return { callErrors, retry, timeout, concurrency, scheduler };
}
