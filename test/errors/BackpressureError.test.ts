import { describe, expect, it } from 'vitest';
import {
  BackpressureError,
  BufferOverflowError,
  CreditsExhaustedError,
  isBackpressureError,
  ServiceAtCapacityError,
} from '../../src/index.js';

describe('BackpressureError', () => {
  it('carries its code, message and cause, and names itself after its class', () => {
    const cause = new Error('root');
    const error = new BackpressureError('ERR_X', 'it broke', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('ERR_X');
    expect(error.message).toBe('it broke');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('BackpressureError');
    expect(new BufferOverflowError(1, 2).name).toBe('BufferOverflowError');
  });

  it('is recognised by brand, even when it comes from another copy of the package', () => {
    const brand = Symbol.for('rxjs-backpressure.BackpressureError');
    const fromAnotherCopy = Object.assign(new Error('elsewhere'), { code: 'ERR_Y', [brand]: true });
    expect(isBackpressureError(fromAnotherCopy)).toBe(true);
    expect(isBackpressureError(new ServiceAtCapacityError())).toBe(true);
  });

  it('is not confused with ordinary errors or other values', () => {
    expect(isBackpressureError(new Error('plain'))).toBe(false);
    expect(isBackpressureError(Object.assign(new Error('coded'), { code: 'ERR_Z' }))).toBe(false);
    expect(isBackpressureError(null)).toBe(false);
    expect(isBackpressureError('ERR_X')).toBe(false);
  });
});

describe('the errors that carry details', () => {
  it('BufferOverflowError carries the item and the buffer size', () => {
    const error = new BufferOverflowError({ id: 7 }, 16);
    expect(error.code).toBe('ERR_BUFFER_OVERFLOW');
    expect(error.item).toEqual({ id: 7 });
    expect(error.bufferSize).toBe(16);
    expect(error.message).toContain('16');
  });

  it('CreditsExhaustedError carries the item and the outstanding credit', () => {
    const error = new CreditsExhaustedError('x', 2);
    expect(error.code).toBe('ERR_CREDITS_EXHAUSTED');
    expect(error.item).toBe('x');
    expect(error.outstanding).toBe(2);
  });

  it('ServiceAtCapacityError says what it knows of the load and when to retry', () => {
    const error = new ServiceAtCapacityError({ capacity: 8, active: 8, retryAfter: 250 });
    expect(error.code).toBe('ERR_SERVICE_AT_CAPACITY');
    expect([error.capacity, error.active, error.retryAfter]).toEqual([8, 8, 250]);
    expect(error.message).toBe('The service is at capacity (8 of 8 in flight); retry after 250 ms.');
    expect(new ServiceAtCapacityError().retryAfter).toBeUndefined();
  });
});
