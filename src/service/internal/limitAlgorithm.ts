import type { LimitAlgorithm, LimitSample } from '../LimitAlgorithm.js';
import { checkLimitSample } from './checkLimitSample.js';
import type { LimitBounds } from './limitBounds.js';

/**
 * What every built-in limit algorithm does around its own rule: check the sample, ignore a call that
 * started with more in flight than the limit (it ran under a load the limit has already left
 * behind, and counting it would react to the same overload twice), and round the fractional
 * estimate `learn` returns down to the limit. `name` prefixes the errors (`aimdLimit`).
 */
export function limitAlgorithm(
  name: string,
  bounds: LimitBounds,
  learn: (sample: LimitSample) => number,
): LimitAlgorithm {
  let limit = bounds.initial;
  return {
    min: bounds.min,
    max: bounds.max,
    get limit() {
      return limit;
    },
    update(sample: LimitSample): number {
      checkLimitSample(sample, `${name} update(sample): sample`);
      if (sample.inFlight > limit) return limit;
      limit = Math.floor(learn(sample));
      return limit;
    },
  };
}
