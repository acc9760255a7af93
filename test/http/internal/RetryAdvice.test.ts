import { afterEach, describe, expect, it, vi } from 'vitest';
import { RetryAdvice } from '../../../src/http/internal/RetryAdvice.js';

const day = 86_400_000;

describe('RetryAdvice', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('advises the retryAfter option over everything else, at most a day', () => {
    expect(new RetryAdvice(250).afterMs({ retryAfter: 9_000 }, 4)).toBe(250);
    expect(new RetryAdvice(2 * day).afterMs(undefined, undefined)).toBe(day);
  });

  it("passes on the provider's own advice, rounded up to a whole millisecond, at most a day", () => {
    const advice = new RetryAdvice(undefined);
    expect(advice.afterMs({ retryAfter: 12.2 }, 4)).toBe(13);
    expect(advice.afterMs({ retryAfter: 3 * day }, 4)).toBe(day);
    // Advice that is no duration is ignored.
    expect(advice.afterMs({ retryAfter: -5 }, 4)).toBe(1);
    expect(advice.afterMs({ retryAfter: '7' }, 4)).toBe(1);
  });

  it('derives the advice from the moving average of the call durations divided by the capacity', () => {
    const now = vi.spyOn(performance, 'now');
    const advice = new RetryAdvice(undefined);
    // Before any call: 1 ms.
    expect(advice.afterMs(undefined, 4)).toBe(1);
    now.mockReturnValue(1_100);
    advice.measure(100); // 1000 ms
    expect(advice.afterMs(undefined, 4)).toBe(250);
    now.mockReturnValue(2_000);
    advice.measure(0); // 2000 ms: the average moves by a fifth of the difference, to 1200 ms
    expect(advice.afterMs(undefined, 4)).toBe(300);
    // Without a capacity (or capacity 0), one slot is assumed.
    expect(advice.afterMs(undefined, undefined)).toBe(1_200);
    expect(advice.afterMs(undefined, 0)).toBe(1_200);
  });
});
