import type { SchedulerLike } from 'rxjs';
import {
  isPositiveCount,
  knownOptions,
  numberOption,
  oneOf,
  optionalFunction,
} from '../../core/validation.js';
import type { BackoffJitter, BackoffPolicy } from '../../internal/backoffDelay.js';
import { isRefusal } from '../../internal/isRefusal.js';
import { longestTimer } from '../../internal/retryWait.js';
import { schedulerOption } from '../../internal/schedulerOption.js';
import type { RetryWithBackoffOptions } from '../RetryWithBackoffOptions.js';

/** The retry options shared by `retryWithBackoff` and `withHandshake`'s `retry`, checked, defaults in. */
export interface ResolvedRetryOptions {
  readonly maxAttempts: number;
  readonly policy: BackoffPolicy;
  readonly retryIf: (error: unknown, attempt: number) => boolean;
  readonly scheduler: SchedulerLike;
}

const jitters: readonly BackoffJitter[] = ['none', 'full', 'decorrelated'];

/** The options {@link resolveRetryOptions} reads: a retry's options, for `retryWithBackoff` and `withHandshake`. */
const retryOptionKeys: readonly string[] = [
  'maxAttempts',
  'initialDelay',
  'maxDelay',
  'factor',
  'jitter',
  'retryIf',
  'scheduler',
];

/**
 * Checks the backoff options when the operator is created, each error naming `argument.option` and
 * the value, and fills in the defaults (see {@link RetryWithBackoffOptions}). An option that is neither
 * a retry's nor one of the caller's `moreKeys` is refused.
 */
export function resolveRetryOptions(
  options: Partial<RetryWithBackoffOptions> | undefined,
  argument: string,
  defaultScheduler: SchedulerLike | undefined,
  moreKeys: readonly string[] = [],
): ResolvedRetryOptions {
  const given = knownOptions(options, [...retryOptionKeys, ...moreKeys], argument);
  const maxAttempts = numberOption(
    given.maxAttempts ?? 5,
    `${argument}.maxAttempts`,
    'a positive integer or Infinity',
    (n) => n === Number.POSITIVE_INFINITY || isPositiveCount(n),
  );
  const initialDelay = numberOption(
    given.initialDelay ?? 100,
    `${argument}.initialDelay`,
    `a number of milliseconds from 0 to ${longestTimer}`,
    (n) => n >= 0 && n <= longestTimer,
  );
  const maxDelay = numberOption(
    // The default never contradicts an initialDelay given alone.
    given.maxDelay ?? Math.max(10_000, initialDelay),
    `${argument}.maxDelay`,
    `a number of milliseconds from ${argument}.initialDelay (${initialDelay}) to ${longestTimer}`,
    (n) => n >= initialDelay && n <= longestTimer,
  );
  const factor = numberOption(
    given.factor ?? 2,
    `${argument}.factor`,
    'a finite number >= 1',
    (n) => Number.isFinite(n) && n >= 1,
  );
  const jitter = oneOf(given.jitter ?? 'full', jitters, `${argument}.jitter`);
  return {
    maxAttempts,
    policy: { initialDelay, maxDelay, factor, jitter },
    retryIf: optionalFunction(given.retryIf, `${argument}.retryIf`) ?? isRefusal,
    scheduler:
      given.scheduler === undefined && defaultScheduler !== undefined
        ? defaultScheduler
        : schedulerOption(given.scheduler, `${argument}.scheduler`),
  };
}
