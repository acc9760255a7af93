import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { describeValue } from '../core/validation.js';

/** Checks a `scheduler` option by shape (so another copy of RxJS works); `asyncScheduler` when absent. */
export function schedulerOption(value: unknown, argument: string): SchedulerLike {
  if (value === undefined) return asyncScheduler;
  const candidate = value as Partial<SchedulerLike> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.now !== 'function' ||
    typeof candidate.schedule !== 'function'
  ) {
    throw new TypeError(
      `${argument} must be a SchedulerLike (with now and schedule), got ${describeValue(value)}.`,
    );
  }
  return candidate as SchedulerLike;
}
