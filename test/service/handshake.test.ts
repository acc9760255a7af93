import { EMPTY, of, throwError } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import {
  handshake,
  isBackpressureError,
  type Service,
  ServiceAtCapacityError,
  TrackedService,
} from '../../src/index.js';

function serviceOf(ready: boolean, result: () => ReturnType<Service<number, number>['do']>) {
  return { isReady: vi.fn(() => ready), do: vi.fn(result) };
}

describe('handshake', () => {
  it('calls do() when the service is ready and resolves with its result', async () => {
    const service = serviceOf(true, () => Promise.resolve(42));
    await expect(handshake(service, 1)).resolves.toBe(42);
    expect(service.do).toHaveBeenCalledWith(1);
  });

  it('rejects with ServiceAtCapacityError and never calls do() when the service is not ready', async () => {
    const service = serviceOf(false, () => Promise.resolve(42));
    const error = await handshake(service, 1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceAtCapacityError);
    expect(error).toMatchObject({ capacity: undefined, active: undefined });
    expect(service.do).not.toHaveBeenCalled();
  });

  it('tells the capacity and the load in the refusal when the service exposes them', async () => {
    const service = new TrackedService({ capacity: 1, handler: () => new Promise<number>(() => undefined) });
    void handshake(service, 1);
    await expect(handshake(service, 2)).rejects.toMatchObject({ capacity: 1, active: 1 });
  });

  it('resolves with the last value of an Observable result', async () => {
    await expect(
      handshake(
        serviceOf(true, () => of(1, 2, 3)),
        0,
      ),
    ).resolves.toBe(3);
  });

  it('rejects with a clear coded error when an Observable result completes without a value', async () => {
    const error = await handshake(
      serviceOf(true, () => EMPTY),
      0,
    ).catch((caught: unknown) => caught);
    expect(isBackpressureError(error) && error.code).toBe('ERR_EMPTY_RESULT');
    expect(String(error)).toContain('service.do(req) completed without a value');
  });

  it('rejects with the error of a failing Promise or Observable', async () => {
    await expect(
      handshake(
        serviceOf(true, () => Promise.reject(new Error('no'))),
        0,
      ),
    ).rejects.toThrow('no');
    await expect(
      handshake(
        serviceOf(true, () => throwError(() => new Error('nope'))),
        0,
      ),
    ).rejects.toThrow('nope');
  });

  it('turns a throw from isReady() or do() into a rejection', async () => {
    const throwing = {
      isReady: () => {
        throw new Error('isReady broke');
      },
      do: () => Promise.resolve(1),
    };
    await expect(handshake(throwing, 0)).rejects.toThrow('isReady broke');
    const failing = serviceOf(true, () => {
      throw new Error('do broke');
    });
    await expect(handshake(failing, 0)).rejects.toThrow('do broke');
  });

  it('rejects with a TypeError when do() returns neither a Promise nor an Observable', async () => {
    const odd = serviceOf(true, () => 7 as unknown as Promise<number>);
    await expect(handshake(odd, 0)).rejects.toThrow(
      /service\.do\(req\) must return a Promise or an Observable, got 7/,
    );
  });

  it('throws a TypeError at once for something that is not a service', () => {
    expect(() => handshake({ isReady: () => true } as unknown as Service<number, number>, 0)).toThrow(
      TypeError,
    );
    expect(() => handshake(null as unknown as Service<number, number>, 0)).toThrow(
      /handshake\(service, req\): service must be a Service with isReady\(\) and do\(req\)/,
    );
  });
});
