import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationHistogram } from '../../benchmarks/demo/DurationHistogram.js';

/** The exact percentile: the smallest age with at least `fraction` of the ages at or below it. */
function exact(ages: readonly number[], fraction: number): number {
  const sorted = [...ages].sort((a, b) => a - b);
  return sorted[Math.ceil(fraction * sorted.length) - 1] as number;
}

describe('DurationHistogram', () => {
  it('has no percentiles before an age is recorded, nor after it is cleared', () => {
    const histogram = new DurationHistogram();
    expect(histogram.percentiles()).toBeUndefined();
    histogram.record(120);
    expect(histogram.percentiles()?.count).toBe(1);
    histogram.clear();
    expect(histogram.percentiles()).toBeUndefined();
  });

  it('tells p50 and p99 within 5% (and 1 ms) of the exact ones, from 1 ms to minutes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 600_000 }), { minLength: 1, maxLength: 300 }),
        (ages) => {
          const histogram = new DurationHistogram();
          for (const age of ages) histogram.record(age);
          const { p50, p99, count } = histogram.percentiles() ?? {
            p50: Number.NaN,
            p99: Number.NaN,
            count: 0,
          };
          expect(count).toBe(ages.length);
          for (const [told, fraction] of [
            [p50, 0.5],
            [p99, 0.99],
          ] as const) {
            const truth = exact(ages, fraction);
            expect(told).toBeGreaterThanOrEqual(Math.floor(truth * 0.95));
            expect(told).toBeLessThanOrEqual(Math.max(1, Math.ceil(truth * 1.05)));
          }
        },
      ),
    );
  });
});
