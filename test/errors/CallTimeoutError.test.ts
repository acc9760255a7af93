import { describe, expect, it } from 'vitest';
import { BackpressureError, CallTimeoutError, isBackpressureError } from '../../src/index.js';

describe('CallTimeoutError', () => {
  it('is a BackpressureError of code ERR_CALL_TIMEOUT that tells the limit exceeded', () => {
    const error = new CallTimeoutError(250);
    expect(error).toBeInstanceOf(BackpressureError);
    expect(isBackpressureError(error)).toBe(true);
    expect([error.name, error.code, error.timeout]).toEqual(['CallTimeoutError', 'ERR_CALL_TIMEOUT', 250]);
    expect(error.message).toBe('The call did not settle within 250 ms.');
    expect(new CallTimeoutError(5, 'lookup too slow').message).toBe('lookup too slow');
  });
});
