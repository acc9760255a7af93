import { describe, expect, it } from 'vitest';
import { BackpressureError, HttpStatusError, isBackpressureError } from '../../src/index.js';

describe('HttpStatusError', () => {
  it('is a BackpressureError of code ERR_HTTP_STATUS that tells the status and the URL', () => {
    const error = new HttpStatusError(502, 'https://example.com/a');
    expect(error).toBeInstanceOf(BackpressureError);
    expect(isBackpressureError(error)).toBe(true);
    expect([error.name, error.code, error.status, error.url]).toEqual([
      'HttpStatusError',
      'ERR_HTTP_STATUS',
      502,
      'https://example.com/a',
    ]);
    expect(error.message).toBe('https://example.com/a answered with HTTP status 502.');
  });

  it('is retryable for a server error and not for a client error', () => {
    expect(new HttpStatusError(500, 'u').retryable).toBe(true);
    expect(new HttpStatusError(599, 'u').retryable).toBe(true);
    expect(new HttpStatusError(404, 'u').retryable).toBe(false);
    expect(new HttpStatusError(400, 'u', 'bad order').message).toBe('bad order');
  });
});
