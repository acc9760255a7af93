import type { SchedulerLike } from 'rxjs';
import { isPositiveCount, numberOption, optionsObject, refuseUnknownKeys } from '../../core/validation.js';
import { schedulerOption } from '../../internal/schedulerOption.js';
import type { RateCreditsOptions } from '../RateCreditsOptions.js';

/** A token bucket's options, checked, with the defaults filled in. */
export interface RateCreditsSettings {
  readonly perSecond: number;
  readonly burst: number;
  readonly initial: number;
  readonly scheduler: SchedulerLike;
}

const argument = 'rateCredits(options)';
const optionKeys = ['perSecond', 'burst', 'initial', 'scheduler'];

/**
 * Checks `rateCredits`' options when it is called, each error naming the option and the value.
 * Apart from the bucket so that the class holds only the granting.
 */
export function rateCreditsSettings(options: RateCreditsOptions): RateCreditsSettings {
  const given = optionsObject(options, argument);
  refuseUnknownKeys(given, optionKeys, argument);
  const perSecond = numberOption(
    given.perSecond,
    `${argument}.perSecond`,
    'a positive finite number',
    (value) => value > 0 && Number.isFinite(value),
  );
  const burst = numberOption(
    given.burst ?? 1,
    `${argument}.burst`,
    'a positive safe integer',
    isPositiveCount,
  );
  const initial = numberOption(
    given.initial ?? burst,
    `${argument}.initial`,
    `an integer from 0 to burst (${burst})`,
    (value) => Number.isSafeInteger(value) && value >= 0 && value <= burst,
  );
  return { perSecond, burst, initial, scheduler: schedulerOption(given.scheduler, `${argument}.scheduler`) };
}
