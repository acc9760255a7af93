import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { objectWithMembers } from '../core/validation.js';

/** Checks a `scheduler` option by shape (so another copy of RxJS works); `asyncScheduler` when absent. */
export function schedulerOption(value: unknown, argument: string): SchedulerLike {
  if (value === undefined) return asyncScheduler;
  return objectWithMembers<SchedulerLike>(
    value,
    { now: 'function', schedule: 'function' },
    argument,
    'a SchedulerLike (with now and schedule)',
  );
}
