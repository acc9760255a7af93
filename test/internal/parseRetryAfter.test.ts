import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/internal/parseRetryAfter.js';

const now = Date.UTC(2024, 10, 6, 8, 49, 30);

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 3 ', now)).toBe(3_000);
  });

  it('reads the three HTTP-date forms as the wait from now', () => {
    expect(parseRetryAfter('Wed, 06 Nov 2024 08:49:37 GMT', now)).toBe(7_000);
    expect(parseRetryAfter('Wednesday, 06-Nov-24 08:49:37 GMT', now)).toBe(7_000);
    expect(parseRetryAfter('Wed Nov  6 08:49:37 2024', now)).toBe(7_000);
  });

  it('reads a date in the past as no wait', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(0);
  });

  it('takes a two-digit year more than 50 years ahead for the century before', () => {
    const in1999 = Date.UTC(1999, 0, 1);
    expect(parseRetryAfter('Friday, 01-Jan-99 00:00:10 GMT', in1999)).toBe(10_000);
    expect(parseRetryAfter('Friday, 01-Jan-49 00:00:10 GMT', in1999)).toBe(
      Date.UTC(2049, 0, 1, 0, 0, 10) - in1999,
    );
    expect(parseRetryAfter('Friday, 01-Jan-50 00:00:10 GMT', in1999)).toBe(0);
  });

  it('ignores what is neither form, and dates that do not exist', () => {
    for (const header of [
      null,
      undefined,
      '',
      '-5',
      '1.5',
      'soon',
      '2024-11-06T08:49:37Z',
      'Wed, 06 Nov 2024 08:49:37 CET',
      'Wed, 31 Feb 2024 08:49:37 GMT',
      'Wed, 06 Nov 2024 25:00:00 GMT',
      '9'.repeat(400),
    ]) {
      expect(parseRetryAfter(header, now)).toBeUndefined();
    }
  });
});
