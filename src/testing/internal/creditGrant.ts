import * as fc from 'fast-check';
import type { ResolvedCreditGrantOptions } from './validateCreditGrantOptions.js';

// Weights are integers in fast-check; a rate is turned into a share of this total.
const weightScale = 1000;

/** One grant: ordinary (`1..max`) most of the time, `Infinity` or a huge value at the given rates. */
export function creditGrant(options: ResolvedCreditGrantOptions): fc.Arbitrary<number> {
  const unboundedWeight = Math.round(options.unboundedRate * weightScale);
  const hugeWeight = Math.round(options.hugeRate * weightScale);
  const ordinaryWeight = weightScale - unboundedWeight - hugeWeight;
  const arms: fc.WeightedArbitrary<number>[] = [];
  // The ordinary arm comes first: with cross-shrinking, a failing Infinity shrinks to a small grant.
  if (ordinaryWeight > 0)
    arms.push({ weight: ordinaryWeight, arbitrary: fc.integer({ min: 1, max: options.max }) });
  if (unboundedWeight > 0)
    arms.push({ weight: unboundedWeight, arbitrary: fc.constant(Number.POSITIVE_INFINITY) });
  if (hugeWeight > 0) {
    arms.push({
      weight: hugeWeight,
      arbitrary: fc.oneof(
        fc.constant(Number.MAX_SAFE_INTEGER),
        fc.integer({ min: 2 ** 52, max: Number.MAX_SAFE_INTEGER }),
      ),
    });
  }
  return fc.oneof({ withCrossShrink: true }, ...arms);
}
