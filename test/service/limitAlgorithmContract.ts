import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LimitAlgorithm, LimitSample } from '../../src/index.js';
import { simulateKnee } from './simulateKnee.js';

/** Any sample a service could report. */
export const limitSample: fc.Arbitrary<LimitSample> = fc.record({
  latency: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10_000, noNaN: true })),
  inFlight: fc.integer({ min: 0, max: 400 }),
  dropped: fc.boolean(),
});

/** Bounds to build an algorithm with: `min <= initial <= max`. */
const bounds = fc
  .tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }))
  .map(([min, extra, at]) => ({ min, max: min + extra, initial: min + Math.min(extra, at) }));

/**
 * What every limit algorithm promises, checked on the one `create` builds: the limit is an integer
 * within `[min, max]` after any sequence of samples; bad samples are refused by name; and in a closed
 * loop against a service whose latency rises past `knee` concurrent calls, the limit settles near the
 * knee: 90% of the limits of the second half of the run lie within `[0.9 × knee, 1.3 × knee]`.
 */
export function checkLimitAlgorithmContract(
  name: string,
  create: (options: { min: number; max: number; initial: number }) => LimitAlgorithm,
  settles: { knee: number; create: () => LimitAlgorithm },
): void {
  describe(`${name}: the contract of a limit algorithm`, () => {
    it('keeps the limit an integer within [min, max] whatever the samples', () => {
      fc.assert(
        fc.property(bounds, fc.array(limitSample, { maxLength: 300 }), (options, samples) => {
          const algorithm = create(options);
          expect([algorithm.min, algorithm.max, algorithm.limit]).toEqual([
            options.min,
            options.max,
            options.initial,
          ]);
          for (const sample of samples) {
            const limit = algorithm.update(sample);
            expect(limit).toBe(algorithm.limit);
            expect(Number.isInteger(limit) && limit >= options.min && limit <= options.max).toBe(true);
          }
        }),
        { numRuns: 200 },
      );
    });

    it.each([
      [
        { latency: -1, inFlight: 1, dropped: false },
        RangeError,
        'latency must be a non-negative finite number',
      ],
      [{ latency: Number.NaN, inFlight: 1, dropped: false }, RangeError, 'got NaN'],
      [
        { latency: 5, inFlight: 1.5, dropped: false },
        RangeError,
        'inFlight must be a non-negative safe integer',
      ],
      [{ latency: 5, inFlight: 1, dropped: 'no' }, TypeError, "dropped must be a boolean, got 'no' (string)"],
      [null, TypeError, 'must be a sample object, got null'],
    ])('refuses the bad sample %o with an error naming the field and the value', (sample, kind, message) => {
      const algorithm = create({ min: 1, max: 10, initial: 5 });
      const update = () => algorithm.update(sample as unknown as LimitSample);
      expect(update).toThrow(kind);
      expect(update).toThrow(message);
      expect(algorithm.limit).toBe(5);
    });

    it(`settles near the knee of a service whose latency rises past ${settles.knee} calls in flight`, async () => {
      const run = await simulateKnee(settles.create(), { knee: settles.knee, calls: 4000 });
      expect(run.completed).toBe(4000);
      // The second half of the run, with the rare excursions (a probe, a back-off) left out.
      const tail = run.limits.slice(2000).sort((a, b) => a - b);
      const percentile = (p: number): number => tail[Math.floor(p * (tail.length - 1))]!;
      expect(percentile(0.1)).toBeGreaterThanOrEqual(0.9 * settles.knee);
      expect(percentile(0.9)).toBeLessThanOrEqual(1.3 * settles.knee);
    });
  });
}
