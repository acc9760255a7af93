import { booleanOption, describeValue } from '../../core/validation.js';
import type { LimitSample } from '../LimitAlgorithm.js';

/**
 * Checks a sample handed to a limit algorithm's `update`, so a bad one fails loudly instead of
 * turning the limit into `NaN`: latency a non-negative finite number, inFlight a non-negative safe
 * integer, dropped a boolean.
 */
export function checkLimitSample(sample: LimitSample, argument: string): void {
  if (typeof sample !== 'object' || sample === null) {
    throw new TypeError(`${argument} must be a sample object, got ${describeValue(sample)}.`);
  }
  const { latency, inFlight, dropped } = sample;
  if (typeof latency !== 'number' || !(latency >= 0) || latency === Number.POSITIVE_INFINITY) {
    const kind = typeof latency === 'number' ? RangeError : TypeError;
    throw new kind(
      `${argument}.latency must be a non-negative finite number of ms, got ${describeValue(latency)}.`,
    );
  }
  if (typeof inFlight !== 'number' || !Number.isSafeInteger(inFlight) || inFlight < 0) {
    const kind = typeof inFlight === 'number' ? RangeError : TypeError;
    throw new kind(
      `${argument}.inFlight must be a non-negative safe integer, got ${describeValue(inFlight)}.`,
    );
  }
  booleanOption(dropped, `${argument}.dropped`);
}
