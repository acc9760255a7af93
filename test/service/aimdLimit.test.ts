import { describe, expect, it } from 'vitest';
import { type AimdLimitOptions, aimdLimit } from '../../src/index.js';
import { checkLimitAlgorithmContract } from './limitAlgorithmContract.js';

const busy = (inFlight: number, latency = 10) => ({ latency, inFlight, dropped: false });
const drop = (inFlight: number) => ({ latency: 10, inFlight, dropped: true });

describe('aimdLimit', () => {
  it('defaults to 10 within [1, 200]', () => {
    const limit = aimdLimit();
    expect([limit.limit, limit.min, limit.max]).toEqual([10, 1, 200]);
  });

  it.each<[AimdLimitOptions, ErrorConstructor, string]>([
    [{ min: 0 }, RangeError, 'aimdLimit(options).min must be a positive safe integer, got 0'],
    [{ max: 2.5 }, RangeError, 'aimdLimit(options).max must be a positive safe integer, got 2.5'],
    [
      { min: 5, max: 3 },
      RangeError,
      'aimdLimit(options).max must be at least aimdLimit(options).min (5), got 3',
    ],
    [
      { initial: 300 },
      RangeError,
      'aimdLimit(options).initial must be a safe integer from min (1) to max (200), got 300',
    ],
    [{ backoffRatio: 1 }, RangeError, 'aimdLimit(options).backoffRatio must be a number from 0.5'],
    [{ backoffRatio: 0.4 }, RangeError, 'got 0.4'],
    [{ timeout: 0 }, RangeError, 'aimdLimit(options).timeout must be a positive number of milliseconds'],
    [
      { timeout: '5' as unknown as number },
      TypeError,
      "aimdLimit(options).timeout must be a positive number of milliseconds (or Infinity), got '5' (string)",
    ],
  ])('refuses %o when it is created, naming the option and the value', (options, kind, message) => {
    expect(() => aimdLimit(options)).toThrow(kind);
    expect(() => aimdLimit(options)).toThrow(message);
  });

  it('refuses an unknown option, pointing at the one it most likely meant', () => {
    expect(() => aimdLimit({ backOffRatio: 0.5 } as unknown as AimdLimitOptions)).toThrow(TypeError);
    expect(() => aimdLimit({ backOffRatio: 0.5 } as unknown as AimdLimitOptions)).toThrow(
      new TypeError(
        'aimdLimit(options).backOffRatio is not an option here (did you mean backoffRatio?); the options are initial, min, max, backoffRatio, timeout.',
      ),
    );
  });

  it('refuses options that are not an object', () => {
    expect(() => aimdLimit(3 as unknown as AimdLimitOptions)).toThrow(
      /aimdLimit\(options\) must be an object, got 3/,
    );
  });

  it('grows by one per busy success until the first drop (slow start)', () => {
    const limit = aimdLimit({ initial: 10 });
    expect([limit.update(busy(10)), limit.update(busy(11)), limit.update(busy(12))]).toEqual([11, 12, 13]);
  });

  it('multiplies by backoffRatio on a drop, by at least one', () => {
    const limit = aimdLimit({ initial: 20, backoffRatio: 0.75 });
    expect(limit.update(drop(20))).toBe(15);
    const small = aimdLimit({ initial: 5, backoffRatio: 0.9 });
    expect(small.update(drop(5))).toBe(4);
  });

  it('counts a success slower than timeout as a drop', () => {
    const limit = aimdLimit({ initial: 20, timeout: 100 });
    expect(limit.update(busy(20, 101))).toBe(18);
  });

  it('after the first drop grows by one per limit of busy successes (one per round trip)', () => {
    const limit = aimdLimit({ initial: 10, backoffRatio: 0.5 });
    limit.update(drop(10));
    const after = [];
    for (let i = 0; i < 6; i++) after.push(limit.update(busy(5)));
    // 5 + 1/5 + 1/5.2 + ...: the sixth success reaches 6.
    expect(after).toEqual([5, 5, 5, 5, 5, 6]);
  });

  it('ignores successes of a service running under half its limit', () => {
    const limit = aimdLimit({ initial: 10 });
    expect(limit.update(busy(4))).toBe(10);
  });

  it('ignores calls that started with more in flight than the limit, so one overload cuts it once', () => {
    const limit = aimdLimit({ initial: 20 });
    expect(limit.update(drop(20))).toBe(18);
    expect([limit.update(drop(20)), limit.update(drop(19)), limit.update(busy(20))]).toEqual([18, 18, 18]);
    expect(limit.update(drop(18))).toBe(16);
  });

  it('never leaves [min, max]', () => {
    const limit = aimdLimit({ min: 3, max: 4, initial: 3 });
    expect([limit.update(busy(3)), limit.update(busy(4))]).toEqual([4, 4]);
    expect([limit.update(drop(4)), limit.update(drop(3))]).toEqual([3, 3]);
  });
});

checkLimitAlgorithmContract('aimdLimit', (bounds) => aimdLimit(bounds), {
  knee: 50,
  // The simulated service answers in 10 ms up to the knee and slower past it; 11 ms is its timeout.
  create: () => aimdLimit({ initial: 2, timeout: 11 }),
});
