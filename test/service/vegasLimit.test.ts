import { describe, expect, it } from 'vitest';
import { type LimitAlgorithm, type VegasLimitOptions, vegasLimit } from '../../src/index.js';
import { checkLimitAlgorithmContract } from './limitAlgorithmContract.js';
import { limitsAfter, simulateKnee, tenTimesSlowerFrom } from './simulateKnee.js';

/** Feeds `count` successful calls of `latency` ms, each run at the full limit; returns the limits. */
function atFullLoad(algorithm: LimitAlgorithm, count: number, latency: number): number[] {
  const limits: number[] = [];
  for (let i = 0; i < count; i++)
    limits.push(algorithm.update({ latency, inFlight: algorithm.limit, dropped: false }));
  return limits;
}

describe('vegasLimit', () => {
  it('defaults to 20 within [1, 1000]', () => {
    const limit = vegasLimit();
    expect([limit.limit, limit.min, limit.max]).toEqual([20, 1, 1000]);
  });

  it.each<[VegasLimitOptions, ErrorConstructor, string]>([
    [{ alpha: 0 }, RangeError, 'vegasLimit(options).alpha must be a positive finite number, got 0'],
    [{ beta: 3 }, RangeError, 'vegasLimit(options).beta must be greater than alpha (3), got 3'],
    [
      { smoothing: 0 },
      RangeError,
      'vegasLimit(options).smoothing must be a number above 0 and at most 1, got 0',
    ],
    [
      { probeMultiplier: 0 },
      RangeError,
      'vegasLimit(options).probeMultiplier must be a positive safe integer, got 0',
    ],
    [
      { random: 0.5 as unknown as () => number },
      TypeError,
      'vegasLimit(options).random must be a function, got 0.5',
    ],
    [{ max: 0 }, RangeError, 'vegasLimit(options).max must be a positive safe integer, got 0'],
  ])('refuses %o when it is created, naming the option and the value', (options, kind, message) => {
    expect(() => vegasLimit(options)).toThrow(kind);
    expect(() => vegasLimit(options)).toThrow(message);
  });

  it('refuses an unknown option, pointing at the one it most likely meant', () => {
    expect(() => vegasLimit({ Alpha: 2 } as unknown as VegasLimitOptions)).toThrow(TypeError);
    expect(() => vegasLimit({ Alpha: 2 } as unknown as VegasLimitOptions)).toThrow(
      new TypeError(
        'vegasLimit(options).Alpha is not an option here (did you mean alpha?); the options are initial, min, max, alpha, beta, smoothing, probeMultiplier, random.',
      ),
    );
  });

  it('learns the latency without load first, then grows by one per sample until calls queue', () => {
    const limit = vegasLimit({ initial: 10, random: () => 0.99 });
    expect(atFullLoad(limit, 4, 10)).toEqual([10, 11, 12, 13]);
  });

  it('shrinks by a step when more than beta calls queue, then grows per round trip, not per sample', () => {
    const limit = vegasLimit({ initial: 10, random: () => 0.99 });
    atFullLoad(limit, 1, 10);
    // 10 calls in flight taking twice the no-load latency: about 5 of them queued, over beta = 3 here.
    expect(limit.update({ latency: 20, inFlight: 10, dropped: false })).toBe(10);
    expect(vegasLimit({ initial: 10, beta: 4 }).update({ latency: 0, inFlight: 10, dropped: false })).toBe(
      10,
    );
    const queued = vegasLimit({ initial: 10, alpha: 2, beta: 4, random: () => 0.99 });
    atFullLoad(queued, 1, 10);
    expect(queued.update({ latency: 20, inFlight: 10, dropped: false })).toBe(9);
    // No queue again: beta × step / L = 4 / 9 per sample, so three samples are needed to add one.
    expect(atFullLoad(queued, 3, 10)).toEqual([9, 9, 10]);
  });

  it('stays put in the sweet spot between alpha and beta queued calls', () => {
    const limit = vegasLimit({ initial: 10, random: () => 0.99 });
    atFullLoad(limit, 1, 10);
    // 10 × (1 − 10 / 14) ≈ 2.9, so 3 calls queued: alpha = 3 ≤ 3 ≤ beta = 6.
    expect(limit.update({ latency: 14, inFlight: 10, dropped: false })).toBe(10);
  });

  it('shrinks by a step on a drop and ignores calls started above the limit', () => {
    const limit = vegasLimit({ initial: 10 });
    expect(limit.update({ latency: 10, inFlight: 10, dropped: true })).toBe(9);
    expect(limit.update({ latency: 10, inFlight: 10, dropped: true })).toBe(9);
  });

  it('re-measures the latency without load at half the limit, so a base latency that rose for good is not taken for queueing', () => {
    const limit = vegasLimit({ initial: 20, probeMultiplier: 1, random: () => 0, beta: 4 });
    atFullLoad(limit, 1, 10);
    limit.update({ latency: 40, inFlight: 20, dropped: false }); // ends slow start
    // The service's own latency doubled: at 20 ms everything looks queued and the limit shrinks,
    // until a probe (every 0.5 × limit samples here) halves it for as many calls as that half,
    // learns 20 ms as the latency without load, and puts the limit back where it was.
    const limits = atFullLoad(limit, 20, 20);
    const probe = limits.findIndex((value, i) => i > 0 && value === Math.floor(limits[i - 1]! / 2));
    const before = limits[probe - 1]!;
    const half = limits[probe]!;
    expect(before).toBeLessThan(19);
    expect(limits.slice(probe, probe + half)).toEqual(Array.from({ length: half }, () => half));
    expect(limits[probe + half]).toBe(before);
    // 20 ms is now the norm: the limit no longer shrinks but grows.
    expect(limits[probe + half + 4]).toBeGreaterThan(before);
  });

  it('probes at once when its limit has halved since the last probe, instead of waiting for the scheduled one', () => {
    // Probes are scheduled only every 100 × limit samples here, far beyond this test.
    const limit = vegasLimit({ initial: 16, probeMultiplier: 100, random: () => 0.99 });
    atFullLoad(limit, 1, 10);
    // The service turns ten times slower whatever the load: every call looks queued against 10 ms.
    const limits = atFullLoad(limit, 30, 100);
    expect(limits.slice(0, 9)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 4]);
    // Four calls at half the limit learn 100 ms as the latency without load; the limit returns to
    // where it was and, nothing queueing any more, grows back.
    expect(limits.slice(8, 13)).toEqual([4, 4, 4, 4, 8]);
    expect(limits.at(-1)).toBe(16);
  });

  it('keeps its limit at the knee of a service slowed by something other than load (virtual time)', async () => {
    // A service with room for 8 calls answers in 10 ms, then from 2 s on in 100 ms whatever the load.
    const run = await simulateKnee(vegasLimit({ initial: 4, probeMultiplier: 100, random: () => 0.99 }), {
      knee: 8,
      calls: 3000,
      base: tenTimesSlowerFrom(2000),
    });
    const after = limitsAfter(run, 2000);
    expect(after.length).toBeGreaterThan(1000);
    // Without the early probe the limit sat at 6, below the knee, for 569 of these samples, until
    // the scheduled probe; now only while it falls and probes.
    expect(after.filter((value) => value < 8).length).toBeLessThan(50);
    expect(Math.min(...after.slice(-100))).toBeGreaterThanOrEqual(8);
    expect(run.completed).toBe(3000);
  });
});

checkLimitAlgorithmContract('vegasLimit', (bounds) => vegasLimit({ ...bounds, random: () => 0.5 }), {
  knee: 50,
  create: () => vegasLimit({ initial: 2, random: () => 0.5 }),
});
