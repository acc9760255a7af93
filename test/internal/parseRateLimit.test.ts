import { describe, expect, it } from 'vitest';
import { parseRateLimit } from '../../src/internal/parseRateLimit.js';

const now = Date.UTC(2024, 10, 6, 8, 49, 30);
const read = (headers: Record<string, string>) => parseRateLimit(new Headers(headers), now);

describe('parseRateLimit', () => {
  it('reads the IETF RateLimit field with its policy: remaining, limit and seconds to the reset', () => {
    expect(read({ RateLimit: '"default";r=50;t=30', 'RateLimit-Policy': '"default";q=100;w=60' })).toEqual({
      remaining: 50,
      limit: 100,
      resetAfter: 30_000,
    });
  });

  it('takes the most restrictive of several policies, and its own quota', () => {
    expect(
      read({
        RateLimit: '"hour";r=900;t=3000, "second";r=3;t=0.25',
        'RateLimit-Policy': '"hour";q=1000;w=3600, "second";q=10;w=1',
      }),
    ).toEqual({ remaining: 3, limit: 10, resetAfter: 250 });
  });

  it('reads the earlier dictionary form of RateLimit', () => {
    expect(read({ RateLimit: 'limit=100, remaining=0, reset=5' })).toEqual({
      remaining: 0,
      limit: 100,
      resetAfter: 5_000,
    });
  });

  it('reads X-RateLimit-* with a reset in seconds from now, in Unix seconds or in Unix milliseconds', () => {
    const headers = (reset: string) => ({
      'X-RateLimit-Limit': '60',
      'X-RateLimit-Remaining': '7',
      'X-RateLimit-Reset': reset,
    });
    expect(read(headers('12'))).toEqual({ remaining: 7, limit: 60, resetAfter: 12_000 });
    expect(read(headers(String(now / 1000 + 40)))).toEqual({ remaining: 7, limit: 60, resetAfter: 40_000 });
    expect(read(headers(String(now + 1_500)))).toEqual({ remaining: 7, limit: 60, resetAfter: 1_500 });
    expect(read(headers(String(now / 1000 - 5)))?.resetAfter).toBe(0);
  });

  it('reads RateLimit-Remaining without the X- prefix', () => {
    expect(read({ 'RateLimit-Remaining': '4', 'RateLimit-Reset': '2' })).toEqual({
      remaining: 4,
      limit: undefined,
      resetAfter: 2_000,
    });
  });

  it('tells nothing when no remaining count is given or it is malformed', () => {
    expect(read({})).toBeUndefined();
    expect(read({ 'X-RateLimit-Limit': '60' })).toBeUndefined();
    expect(read({ 'X-RateLimit-Remaining': '-1' })).toBeUndefined();
    expect(read({ RateLimit: '"default";t=30' })).toBeUndefined();
    expect(read({ RateLimit: 'garbage' })).toBeUndefined();
  });
});
