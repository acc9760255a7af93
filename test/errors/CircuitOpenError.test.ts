import { describe, expect, it } from 'vitest';
import { BackpressureError, CircuitOpenError, isBackpressureError } from '../../src/index.js';

describe('CircuitOpenError', () => {
  it('is a BackpressureError of code ERR_CIRCUIT_OPEN that says how long until trial calls', () => {
    const error = new CircuitOpenError({ state: 'open', retryAfter: 250 });
    expect(error).toBeInstanceOf(BackpressureError);
    expect(isBackpressureError(error)).toBe(true);
    expect(error.name).toBe('CircuitOpenError');
    expect([error.code, error.state, error.retryAfter]).toEqual(['ERR_CIRCUIT_OPEN', 'open', 250]);
    expect(error.message).toBe('The circuit is open; it lets trial calls through in 250 ms.');
  });

  it('says so when every trial place of a half-open circuit is taken, with no retryAfter', () => {
    const error = new CircuitOpenError({ state: 'half-open' });
    expect(error.retryAfter).toBeUndefined();
    expect(error.message).toContain('half-open');
  });

  it('defaults to an open circuit with an unknown wait, and takes a message of its own', () => {
    expect(new CircuitOpenError().message).toBe('The circuit is open.');
    expect(new CircuitOpenError({}, 'payments are down').message).toBe('payments are down');
  });
});
