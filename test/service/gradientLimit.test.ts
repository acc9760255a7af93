import { describe, expect, it } from 'vitest';
import { type GradientLimitOptions, gradientLimit, type LimitAlgorithm } from '../../src/index.js';
import { checkLimitAlgorithmContract } from './limitAlgorithmContract.js';
import { limitsAfter, simulateKnee, tenTimesSlowerFrom } from './simulateKnee.js';

/** Feeds `count` successful calls of `latency` ms, each run at the full limit; returns the last limit. */
function atFullLoad(algorithm: LimitAlgorithm, count: number, latency: number): number {
  for (let i = 0; i < count; i++) algorithm.update({ latency, inFlight: algorithm.limit, dropped: false });
  return algorithm.limit;
}

describe('gradientLimit', () => {
  it('defaults to 20 within [1, 200]', () => {
    const limit = gradientLimit();
    expect([limit.limit, limit.min, limit.max]).toEqual([20, 1, 200]);
  });

  it.each<[GradientLimitOptions, ErrorConstructor, string]>([
    [
      { smoothing: 0 },
      RangeError,
      'gradientLimit(options).smoothing must be a number above 0 and at most 1, got 0',
    ],
    [{ smoothing: 1.5 }, RangeError, 'got 1.5'],
    [
      { queueSize: -1 },
      RangeError,
      'gradientLimit(options).queueSize must be a non-negative finite number, got -1',
    ],
    [{ queueSize: Number.POSITIVE_INFINITY }, RangeError, 'got Infinity'],
    [
      { longWindow: 0 },
      RangeError,
      'gradientLimit(options).longWindow must be a positive safe integer, got 0',
    ],
    [{ longWindow: 2.5 }, RangeError, 'got 2.5'],
    [
      { min: 10, initial: 5 },
      RangeError,
      'gradientLimit(options).initial must be a safe integer from min (10)',
    ],
    [
      { smoothing: '0.2' as unknown as number },
      TypeError,
      "gradientLimit(options).smoothing must be a number above 0 and at most 1, got '0.2' (string)",
    ],
  ])('refuses %o when it is created, naming the option and the value', (options, kind, message) => {
    expect(() => gradientLimit(options)).toThrow(kind);
    expect(() => gradientLimit(options)).toThrow(message);
  });

  it('refuses an unknown option, pointing at the one it most likely meant', () => {
    expect(() => gradientLimit({ queuesize: 2 } as unknown as GradientLimitOptions)).toThrow(TypeError);
    expect(() => gradientLimit({ queuesize: 2 } as unknown as GradientLimitOptions)).toThrow(
      new TypeError(
        'gradientLimit(options).queuesize is not an option here (did you mean queueSize?); the options are initial, min, max, smoothing, queueSize, longWindow.',
      ),
    );
  });

  it('grows by queueSize × smoothing per sample while latency stays at its long-term level', () => {
    const limit = gradientLimit({ initial: 20, queueSize: 5, smoothing: 0.2 });
    expect(atFullLoad(limit, 5, 10)).toBe(25);
  });

  it('shrinks when latency rises above its long-term level, by at most half the gap per sample', () => {
    const limit = gradientLimit({ initial: 40, queueSize: 0, smoothing: 1 });
    atFullLoad(limit, 10, 10);
    // Latency tripled: the gradient is clamped at 0.5, so the limit halves, no further.
    expect(atFullLoad(limit, 1, 30)).toBe(20);
    expect(atFullLoad(limit, 1, 12)).toBeLessThan(20);
  });

  it('shrinks by smoothing / 2 on a drop, and does not average in the latency of the failure', () => {
    const limit = gradientLimit({ initial: 40, queueSize: 0, smoothing: 0.5 });
    atFullLoad(limit, 10, 10);
    expect(limit.update({ latency: 1, inFlight: 40, dropped: true })).toBe(30);
    // Were the 1 ms failure averaged in, 10 ms would now look slow and shrink the limit.
    expect(atFullLoad(limit, 1, 10)).toBe(30);
  });

  it('ignores samples of an idle service, of calls started above the limit, and of 0 ms', () => {
    const limit = gradientLimit({ initial: 20 });
    expect(limit.update({ latency: 10, inFlight: 9, dropped: false })).toBe(20);
    expect(limit.update({ latency: 10, inFlight: 21, dropped: true })).toBe(20);
    expect(limit.update({ latency: 0, inFlight: 20, dropped: false })).toBe(20);
  });

  it('recovers once latency falls well below its long-term level after a long overload', () => {
    const limit = gradientLimit({ initial: 50, min: 5, longWindow: 20 });
    atFullLoad(limit, 10, 10);
    // For 400 calls the service could take only 12 at once: latency grew with our load.
    for (let i = 0; i < 400; i++)
      limit.update({ latency: 10 * Math.max(1, limit.limit / 12), inFlight: limit.limit, dropped: false });
    const squeezed = limit.limit;
    expect(atFullLoad(limit, 50, 10)).toBeGreaterThan(squeezed + 20);
  });

  it('keeps its limit at the knee of a service slowed by something other than load (virtual time)', async () => {
    // A service with room for 30 calls answers in 10 ms, then from 2 s on in 100 ms whatever the load.
    const run = await simulateKnee(gradientLimit({ initial: 10 }), {
      knee: 30,
      calls: 12_000,
      base: tenTimesSlowerFrom(2000),
    });
    const after = limitsAfter(run, 2000);
    expect(after.length).toBeGreaterThan(6000);
    // Until the limit halved and the latency had not, the rise looked like our queue; then the long-term
    // latency took it. Before, the limit sat at 8 (2 × queueSize) for 5,900 of these samples.
    expect(after.filter((value) => value < 30).length).toBeLessThan(300);
    expect(Math.min(...after.slice(-1000))).toBeGreaterThanOrEqual(30);
  });

  it('does not take its own queue for a slower service: latency that falls with the limit keeps it falling', () => {
    const limit = gradientLimit({ initial: 38 });
    for (let i = 0; i < 20; i++) limit.update({ latency: 10, inFlight: limit.limit, dropped: false });
    // The service can now take only 3 calls at once: latency grows with every call we send beyond.
    const limits: number[] = [];
    for (let i = 0; i < 300; i++)
      limits.push(
        limit.update({ latency: 10 * Math.max(1, limit.limit / 3), inFlight: limit.limit, dropped: false }),
      );
    expect(Math.max(...limits.slice(50))).toBeLessThanOrEqual(2 * 4 + 1);
  });
});

checkLimitAlgorithmContract('gradientLimit', (bounds) => gradientLimit(bounds), {
  knee: 50,
  create: () => gradientLimit({ initial: 2 }),
});
