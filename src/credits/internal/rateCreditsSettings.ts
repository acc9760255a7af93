import type { SchedulerLike } from 'rxjs';
import { isPositiveCount, knownOptions, numberOption } from '../../core/validation.js';
import { numberOptions } from '../../internal/numberOptions.js';
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
  const given = knownOptions(options, optionKeys, argument);
  const { perSecond, burst } = numberOptions(given, argument, {
    perSecond: {
      expected: 'a positive finite number',
      accepts: (value) => value > 0 && Number.isFinite(value),
    },
    burst: { fallback: 1, expected: 'a positive safe integer', accepts: isPositiveCount },
  });
  const initial = numberOption(
    given.initial ?? burst,
    `${argument}.initial`,
    `an integer from 0 to burst (${burst})`,
    (value) => Number.isSafeInteger(value) && value >= 0 && value <= burst,
  );
  return { perSecond, burst, initial, scheduler: schedulerOption(given.scheduler, `${argument}.scheduler`) };
}
