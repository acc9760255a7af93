import fc from 'fast-check';
import { config, Observable, of, Subject, VirtualTimeScheduler } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  CircuitOpenError,
  type CircuitState,
  circuitBreaker,
  isBackpressureError,
  type Service,
  ServiceAtCapacityError,
  withHandshake,
} from '../../src/index.js';

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A service that answers by request: 'fail' rejects, 'busy' refuses as at capacity, 'held…' waits
 * until the test settles it through `held`, anything else resolves.
 */
class ScriptedService implements Service<string, string> {
  ready = true;
  readonly calls: { req: string; signal: AbortSignal | undefined }[] = [];
  readonly held = new Map<string, Deferred<string>>();

  isReady(): boolean {
    return this.ready;
  }

  do(req: string, signal?: AbortSignal): Promise<string> {
    this.calls.push({ req, signal });
    if (req === 'fail') return Promise.reject(new Error(`boom ${this.calls.length}`));
    if (req === 'busy') return Promise.reject(new ServiceAtCapacityError());
    if (req.startsWith('held')) {
      const work = deferred<string>();
      this.held.set(req, work);
      return work.promise;
    }
    return Promise.resolve(`done ${req}`);
  }
}

/** Calls the breaker and waits for the outcome, as a word. */
async function call(breaker: CircuitBreaker<string, string>, req: string): Promise<string> {
  try {
    return await breaker.do(req);
  } catch (error) {
    return isBackpressureError(error) ? error.code : 'error';
  }
}

function record<T>(source: Observable<T>): { values: T[]; unsubscribe: () => void } {
  const values: T[] = [];
  const subscription = source.subscribe((value) => values.push(value));
  return { values, unsubscribe: () => subscription.unsubscribe() };
}

const options: CircuitBreakerOptions = { failureThreshold: 3, resetTimeout: 1_000 };

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('circuitBreaker', () => {
  it('refuses an unknown option, naming it and the option it most likely meant', () => {
    expect(() =>
      circuitBreaker(new ScriptedService(), { failureThreshold: 3, resetTimeOut: 1_000 } as never),
    ).toThrow(/^options\.resetTimeOut is not an option here \(did you mean resetTimeout\?\)/);
  });

  describe('closed', () => {
    it('starts closed and passes calls, results and the caller’s signal through', async () => {
      const service = new ScriptedService();
      const breaker = circuitBreaker(service, options);
      const signal = new AbortController().signal;
      expect(breaker.state).toBe('closed');
      expect(breaker.isReady()).toBe(true);
      await expect(breaker.do('a', signal)).resolves.toBe('done a');
      expect(service.calls).toEqual([{ req: 'a', signal }]);
    });

    it('opens on exactly the failureThreshold-th consecutive failure', async () => {
      const breaker = circuitBreaker(new ScriptedService(), options);
      const states = record(breaker.state$);
      expect(await call(breaker, 'fail')).toBe('error');
      expect(await call(breaker, 'fail')).toBe('error');
      expect(breaker.state).toBe('closed');
      expect(await call(breaker, 'fail')).toBe('error');
      expect(breaker.state).toBe('open');
      expect(states.values).toEqual(['closed', 'open']);
      states.unsubscribe();
    });

    it('opens exactly when a model says so: failures in a row, refusals ignored, a success resets', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 5 }),
          fc.array(fc.constantFrom('ok', 'fail', 'busy'), { maxLength: 40 }),
          async (failureThreshold, requests) => {
            const service = new ScriptedService();
            const scheduler = new VirtualTimeScheduler();
            const breaker = circuitBreaker(service, { failureThreshold, resetTimeout: 1_000, scheduler });
            let failures = 0;
            let open = false;
            let reached = 0;
            for (const req of requests) {
              const outcome = await call(breaker, req);
              if (open) {
                expect(outcome).toBe('ERR_CIRCUIT_OPEN');
                continue;
              }
              reached++;
              if (req === 'ok') failures = 0;
              if (req === 'fail') open = ++failures === failureThreshold;
              expect(breaker.state).toBe(open ? 'open' : 'closed');
            }
            expect(service.calls).toHaveLength(reached);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('starts counting again after a success', async () => {
      const breaker = circuitBreaker(new ScriptedService(), options);
      for (const req of ['fail', 'fail', 'ok', 'fail', 'fail']) await call(breaker, req);
      expect(breaker.state).toBe('closed');
      await call(breaker, 'fail');
      expect(breaker.state).toBe('open');
    });

    it('never counts a capacity refusal as a failure, nor as a success', async () => {
      const breaker = circuitBreaker(new ScriptedService(), options);
      for (let i = 0; i < 20; i++) expect(await call(breaker, 'busy')).toBe('ERR_SERVICE_AT_CAPACITY');
      expect(breaker.state).toBe('closed');
      for (const req of ['fail', 'busy', 'fail', 'busy', 'fail']) await call(breaker, req);
      expect(breaker.state).toBe('open');
    });

    it('counts what isFailure says is a failure, and nothing else', async () => {
      const breaker = circuitBreaker(new ScriptedService(), {
        ...options,
        failureThreshold: 2,
        isFailure: (error) => isBackpressureError(error),
      });
      for (let i = 0; i < 5; i++) await call(breaker, 'fail');
      expect(breaker.state).toBe('closed');
      await call(breaker, 'busy');
      await call(breaker, 'busy');
      expect(breaker.state).toBe('open');
    });

    it('counts a call whose isFailure throws as a failure and reports the throw as unhandled', async () => {
      const reported: unknown[] = [];
      const previous = config.onUnhandledError;
      config.onUnhandledError = (error) => reported.push(error);
      try {
        const thrown = new Error('isFailure broke');
        const breaker = circuitBreaker(new ScriptedService(), {
          ...options,
          failureThreshold: 1,
          isFailure: () => {
            throw thrown;
          },
        });
        await call(breaker, 'fail');
        expect(breaker.state).toBe('open');
        vi.runOnlyPendingTimers();
        expect(reported).toEqual([thrown]);
      } finally {
        config.onUnhandledError = previous;
      }
    });

    it('counts a service that throws, or returns something that is neither Promise nor Observable, as failing', async () => {
      const breaker = circuitBreaker<string, string>(
        {
          isReady: () => true,
          do: (req) => {
            if (req === 'throw') throw new Error('sync');
            return 42 as unknown as Promise<string>;
          },
        },
        { ...options, failureThreshold: 2 },
      );
      await expect(breaker.do('throw')).rejects.toThrow('sync');
      await expect(breaker.do('value')).rejects.toThrow(
        /service\.do\(req\) must return a Promise or an Observable, got 42/,
      );
      expect(breaker.state).toBe('open');
    });

    it('is not ready whenever the service is not ready', () => {
      const service = new ScriptedService();
      const breaker = circuitBreaker(service, options);
      service.ready = false;
      expect(breaker.isReady()).toBe(false);
    });

    it('ignores the failure of a call started before the circuit opened and settled after', async () => {
      const service = new ScriptedService();
      const breaker = circuitBreaker(service, { ...options, failureThreshold: 1 });
      const lateCall = breaker.do('held');
      await call(breaker, 'fail');
      vi.advanceTimersByTime(1_000);
      expect(breaker.state).toBe('half-open');
      service.held.get('held')?.reject(new Error('late failure'));
      await expect(lateCall).rejects.toThrow('late failure');
      expect(breaker.state).toBe('half-open');
      expect(breaker.isReady()).toBe(true);
    });
  });

  describe('open', () => {
    it('refuses at once with CircuitOpenError, without calling the service, and says how long is left', async () => {
      const service = new ScriptedService();
      const breaker = circuitBreaker(service, { ...options, failureThreshold: 1 });
      await call(breaker, 'fail');
      expect(breaker.isReady()).toBe(false);
      vi.advanceTimersByTime(400);
      const refusal = breaker.do('a');
      await expect(refusal).rejects.toBeInstanceOf(CircuitOpenError);
      await expect(refusal).rejects.toMatchObject({
        code: 'ERR_CIRCUIT_OPEN',
        state: 'open',
        retryAfter: 600,
      });
      expect(service.calls.map(({ req }) => req)).toEqual(['fail']);
    });

    it('turns half-open after resetTimeout, on its timer while someone listens', async () => {
      const breaker = circuitBreaker(new ScriptedService(), { ...options, failureThreshold: 1 });
      const states = record(breaker.state$);
      await call(breaker, 'fail');
      vi.advanceTimersByTime(999);
      expect(states.values).toEqual(['closed', 'open']);
      vi.advanceTimersByTime(1);
      expect(states.values).toEqual(['closed', 'open', 'half-open']);
      states.unsubscribe();
    });

    it('holds no timer when nobody listens, and turns half-open at the next look once the time is up', async () => {
      const service = new ScriptedService();
      const breaker = circuitBreaker(service, { ...options, failureThreshold: 1 });
      await call(breaker, 'fail');
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(999);
      expect(breaker.isReady()).toBe(false);
      vi.advanceTimersByTime(1);
      expect(breaker.isReady()).toBe(true);
      expect(breaker.state).toBe('half-open');
    });

    it('cancels its timer when the last listener leaves, and sets it again for the time left', async () => {
      const breaker = circuitBreaker(new ScriptedService(), { ...options, failureThreshold: 1 });
      const first = record(breaker.state$);
      const credits = record(breaker.credits$);
      await call(breaker, 'fail');
      expect(vi.getTimerCount()).toBe(1);
      first.unsubscribe();
      expect(vi.getTimerCount()).toBe(1);
      credits.unsubscribe();
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(700);
      const second = record(breaker.state$);
      expect(second.values).toEqual(['open']);
      vi.advanceTimersByTime(299);
      expect(second.values).toEqual(['open']);
      vi.advanceTimersByTime(1);
      expect(second.values).toEqual(['open', 'half-open']);
      expect(vi.getTimerCount()).toBe(0);
      second.unsubscribe();
    });
  });

  describe('half-open', () => {
    async function halfOpen(
      extra: Partial<CircuitBreakerOptions> = {},
    ): Promise<{ service: ScriptedService; breaker: CircuitBreaker<string, string> }> {
      const service = new ScriptedService();
      const breaker = circuitBreaker(service, { ...options, failureThreshold: 1, ...extra });
      await call(breaker, 'fail');
      vi.advanceTimersByTime(1_000);
      expect(breaker.state).toBe('half-open');
      return { service, breaker };
    }

    it('closes on a trial success', async () => {
      const { breaker } = await halfOpen();
      expect(await call(breaker, 'ok')).toBe('done ok');
      expect(breaker.state).toBe('closed');
    });

    it('opens again for another resetTimeout on a trial failure', async () => {
      const { breaker } = await halfOpen();
      await call(breaker, 'fail');
      expect(breaker.state).toBe('open');
      vi.advanceTimersByTime(999);
      expect(breaker.state).toBe('open');
      vi.advanceTimersByTime(1);
      expect(breaker.state).toBe('half-open');
    });

    it('lets exactly halfOpenMaxCalls trial calls through and refuses the rest at once', async () => {
      const { service, breaker } = await halfOpen({ halfOpenMaxCalls: 2 });
      const calls = ['a', 'b', 'c', 'd'].map((req) => breaker.do(req));
      await expect(calls[2]).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'half-open' });
      await expect(calls[3]).rejects.toBeInstanceOf(CircuitOpenError);
      expect(service.calls.map(({ req }) => req)).toEqual(['fail', 'a', 'b']);
      await Promise.allSettled(calls);
    });

    it('is not ready once every trial place is taken', async () => {
      const { breaker } = await halfOpen();
      const trial = breaker.do('a');
      expect(breaker.isReady()).toBe(false);
      await trial;
      expect(breaker.isReady()).toBe(true);
    });

    it('frees the place of a trial that the service refused as at capacity, for another trial', async () => {
      const { service, breaker } = await halfOpen();
      const credits = record(breaker.credits$);
      expect(await call(breaker, 'busy')).toBe('ERR_SERVICE_AT_CAPACITY');
      expect(breaker.state).toBe('half-open');
      expect(breaker.isReady()).toBe(true);
      expect(credits.values).toEqual([1, 1]);
      expect(await call(breaker, 'ok')).toBe('done ok');
      expect(breaker.state).toBe('closed');
      expect(service.calls).toHaveLength(3);
      credits.unsubscribe();
    });

    it('lets the first verdict decide and ignores the later trials', async () => {
      const { service, breaker } = await halfOpen({ halfOpenMaxCalls: 2 });
      const slow = breaker.do('held');
      expect(await call(breaker, 'ok')).toBe('done ok');
      expect(breaker.state).toBe('closed');
      service.held.get('held')?.reject(new Error('late trial failure'));
      await expect(slow).rejects.toThrow('late trial failure');
      expect(breaker.state).toBe('closed');
    });

    it('ignores a late trial success once another trial failed', async () => {
      const { service, breaker } = await halfOpen({ halfOpenMaxCalls: 2 });
      const slow = breaker.do('held');
      await call(breaker, 'fail');
      expect(breaker.state).toBe('open');
      service.held.get('held')?.resolve('late');
      await slow;
      expect(breaker.state).toBe('open');
    });
  });

  describe('signals and Observables', () => {
    it('resolves with the last value of an Observable the service returns', async () => {
      const breaker = circuitBreaker<string, number>({ isReady: () => true, do: () => of(1, 2, 3) }, options);
      await expect(breaker.do('a')).resolves.toBe(3);
    });

    it('unsubscribes an Observable at once when the caller aborts, and does not count it as a failure', async () => {
      let unsubscribed = false;
      const breaker = circuitBreaker<string, number>(
        {
          isReady: () => true,
          do: () =>
            new Observable<number>(() => () => {
              unsubscribed = true;
            }),
        },
        { ...options, failureThreshold: 1 },
      );
      const controller = new AbortController();
      const result = breaker.do('a', controller.signal);
      controller.abort(new Error('caller gave up'));
      expect(unsubscribed).toBe(true);
      await expect(result).rejects.toThrow('caller gave up');
      expect(breaker.state).toBe('closed');
    });

    it('does not count a rejection after the caller aborted as a failure', async () => {
      const breaker = circuitBreaker<string, string>(
        {
          isReady: () => true,
          do: (_, signal) =>
            new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
        },
        { ...options, failureThreshold: 1 },
      );
      const controller = new AbortController();
      const result = breaker.do('a', controller.signal);
      controller.abort(new Error('gone'));
      await expect(result).rejects.toThrow('gone');
      expect(breaker.state).toBe('closed');
    });

    it('rejects an Observable that completes without a value, counting it as a failure', async () => {
      const breaker = circuitBreaker<string, number>(
        { isReady: () => true, do: () => new Observable<number>((subscriber) => subscriber.complete()) },
        { ...options, failureThreshold: 1 },
      );
      await expect(breaker.do('a')).rejects.toMatchObject({ code: 'ERR_EMPTY_RESULT' });
      expect(breaker.state).toBe('open');
    });

    it('rejects with the error of an Observable that fails while the caller still waits, counting it as a failure', async () => {
      const breaker = circuitBreaker<string, number>(
        {
          isReady: () => true,
          do: () => new Observable<number>((subscriber) => subscriber.error(new Error('down'))),
        },
        { ...options, failureThreshold: 1 },
      );
      const controller = new AbortController();
      const removed = vi.spyOn(controller.signal, 'removeEventListener');
      await expect(breaker.do('a', controller.signal)).rejects.toThrow('down');
      expect(breaker.state).toBe('open');
      expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
    });

    it('never subscribes the Observable of a call whose signal aborted before it, nor counts it as a failure', async () => {
      let subscribed = false;
      const breaker = circuitBreaker<string, number>(
        {
          isReady: () => true,
          do: () =>
            new Observable<number>((subscriber) => {
              subscribed = true;
              subscriber.error(new Error('ran'));
            }),
        },
        { ...options, failureThreshold: 1 },
      );
      const controller = new AbortController();
      controller.abort(new Error('never mind'));
      await expect(breaker.do('a', controller.signal)).rejects.toThrow('never mind');
      expect(subscribed).toBe(false);
      expect(breaker.state).toBe('closed');
    });

    it('removes its abort listener once the work settles', async () => {
      const breaker = circuitBreaker<string, number>({ isReady: () => true, do: () => of(1) }, options);
      const controller = new AbortController();
      const removed = vi.spyOn(controller.signal, 'removeEventListener');
      await breaker.do('a', controller.signal);
      expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
    });
  });

  describe('credits$', () => {
    function provider(): ScriptedService & { room: Subject<number>; credits$: Observable<number> } {
      const room = new Subject<number>();
      return Object.assign(new ScriptedService(), { room, credits$: room.asObservable() });
    }

    it('forwards the service’s grants while closed', () => {
      const service = provider();
      const credits = record(circuitBreaker(service, options).credits$);
      service.room.next(4);
      service.room.next(1);
      expect(credits.values).toEqual([4, 1]);
      credits.unsubscribe();
      expect(service.room.observed).toBe(false);
    });

    it('grants nothing while open, halfOpenMaxCalls on turning half-open, and the room it kept on closing', async () => {
      const service = provider();
      const breaker = circuitBreaker(service, { ...options, failureThreshold: 1, halfOpenMaxCalls: 3 });
      const credits = record(breaker.credits$);
      await call(breaker, 'fail');
      service.room.next(2);
      service.room.next(5);
      expect(credits.values).toEqual([]);
      vi.advanceTimersByTime(1_000);
      expect(credits.values).toEqual([3]);
      service.room.next(1);
      await call(breaker, 'ok');
      expect(breaker.state).toBe('closed');
      expect(credits.values).toEqual([3, 8]);
      credits.unsubscribe();
    });

    it('grants the trial places still free to a subscriber that arrives while half-open', async () => {
      const service = provider();
      const breaker = circuitBreaker(service, { ...options, failureThreshold: 1, halfOpenMaxCalls: 3 });
      await call(breaker, 'fail');
      vi.advanceTimersByTime(1_000);
      const trial = breaker.do('a');
      const credits = record(breaker.credits$);
      expect(credits.values).toEqual([2]);
      await trial;
      credits.unsubscribe();
    });

    it('grants one credit per call that settles through it when the service has no credits$', async () => {
      const breaker = circuitBreaker(new ScriptedService(), options);
      const credits = record(breaker.credits$);
      await call(breaker, 'ok');
      await call(breaker, 'busy');
      expect(credits.values).toEqual([1, 1]);
      credits.unsubscribe();
    });

    it('passes on the end and the error of the service’s credits$', () => {
      const service = provider();
      const breaker = circuitBreaker(service, options);
      let completed = false;
      breaker.credits$.subscribe({ complete: () => (completed = true) });
      service.room.complete();
      expect(completed).toBe(true);

      const failing = Object.assign(new ScriptedService(), {
        credits$: new Observable<number>((subscriber) => subscriber.error(new Error('signal broke'))),
      });
      const errors: unknown[] = [];
      circuitBreaker(failing, options).credits$.subscribe({ error: (error: unknown) => errors.push(error) });
      expect(String(errors[0])).toContain('signal broke');
    });
  });

  describe('with withHandshake', () => {
    it('lets a waiting buffer resume by itself when the circuit turns half-open, and drain once it closes', async () => {
      const service = new ScriptedService();
      const breaker = circuitBreaker(service, { ...options, failureThreshold: 1 });
      await call(breaker, 'fail');
      const results: string[] = [];
      let completed = false;
      const subscription = of('a', 'b', 'c')
        .pipe(withHandshake(breaker))
        .subscribe({ next: (result) => results.push(result), complete: () => (completed = true) });
      await vi.advanceTimersByTimeAsync(999);
      expect(service.calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(results).toEqual(['done a', 'done b', 'done c']);
      expect(completed).toBe(true);
      expect(breaker.state).toBe('closed');
      subscription.unsubscribe();
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('state$', () => {
    it('emits the current state on subscribe, then each change', async () => {
      const breaker = circuitBreaker(new ScriptedService(), { ...options, failureThreshold: 1 });
      await call(breaker, 'fail');
      const states = record(breaker.state$);
      vi.advanceTimersByTime(1_000);
      await call(breaker, 'ok');
      expect(states.values).toEqual<CircuitState[]>(['open', 'half-open', 'closed']);
      states.unsubscribe();
    });

    it('runs on the injected scheduler', async () => {
      const scheduler = new VirtualTimeScheduler();
      const breaker = circuitBreaker(new ScriptedService(), { ...options, failureThreshold: 1, scheduler });
      const states = record(breaker.state$);
      await call(breaker, 'fail');
      expect(vi.getTimerCount()).toBe(0);
      scheduler.flush();
      expect(scheduler.now()).toBe(1_000);
      expect(states.values).toEqual(['closed', 'open', 'half-open']);
      states.unsubscribe();
    });

    it('tells listeners about a turn made while another listener reacts, in order', async () => {
      const breaker = circuitBreaker(new ScriptedService(), {
        ...options,
        failureThreshold: 1,
        resetTimeout: 0,
      });
      const seen: string[] = [];
      breaker.state$.subscribe((state) => {
        seen.push(`first ${state}`);
        if (state === 'open') void breaker.state; // a look after a zero reset turns it half-open, re-entrantly
      });
      breaker.state$.subscribe((state) => seen.push(`second ${state}`));
      await call(breaker, 'fail');
      expect(seen).toEqual([
        'first closed',
        'second closed',
        'first open',
        'second open',
        'first half-open',
        'second half-open',
      ]);
    });
  });

  describe('options', () => {
    const service = new ScriptedService();
    it.each<[string, unknown, ErrorConstructor, RegExp]>([
      [
        'failureThreshold 0',
        { ...options, failureThreshold: 0 },
        RangeError,
        /options\.failureThreshold.*got 0/,
      ],
      [
        'failureThreshold 2.5',
        { ...options, failureThreshold: 2.5 },
        RangeError,
        /options\.failureThreshold.*2\.5/,
      ],
      ['no failureThreshold', { resetTimeout: 5 }, TypeError, /options\.failureThreshold.*got undefined/],
      ['resetTimeout -1', { ...options, resetTimeout: -1 }, RangeError, /options\.resetTimeout.*got -1/],
      [
        'resetTimeout NaN',
        { ...options, resetTimeout: Number.NaN },
        RangeError,
        /options\.resetTimeout.*NaN/,
      ],
      [
        'halfOpenMaxCalls 0',
        { ...options, halfOpenMaxCalls: 0 },
        RangeError,
        /options\.halfOpenMaxCalls.*got 0/,
      ],
      ['isFailure 1', { ...options, isFailure: 1 }, TypeError, /options\.isFailure.*function.*got 1/],
      ['scheduler null', { ...options, scheduler: null }, TypeError, /options\.scheduler.*got null/],
      ['options missing', undefined, TypeError, /options\.failureThreshold/],
    ])('refuses %s when it is called, naming the option and the value', (_, given, kind, message) => {
      const create = () => circuitBreaker(service, given as CircuitBreakerOptions);
      expect(create).toThrow(kind);
      expect(create).toThrow(message);
    });

    it('refuses a service without isReady and do, and a credits$ that is not an observable', () => {
      expect(() => circuitBreaker({} as Service<string, string>, options)).toThrow(
        /circuitBreaker\(service\) must be a Service with isReady\(\) and do\(req\), got an object/,
      );
      const broken = Object.assign(new ScriptedService(), { credits$: 5 });
      expect(() => circuitBreaker(broken, options)).toThrow(
        /service\.credits\$ must be an observable.*got 5/,
      );
    });
  });

  describe('under a herd', () => {
    it('lets exactly halfOpenMaxCalls trial calls reach the service, whatever the order of settlement', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 30 }),
          fc.integer({ min: 0, max: 10 }),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
          async (s, halfOpenMaxCalls, herd, latecomers, trialSucceeds) => {
            const scheduler = new VirtualTimeScheduler();
            let failing = true;
            let trialsStarted = 0;
            const verdicts: boolean[] = [];
            const trialFailure = new Error('trial failed');
            const breaker: CircuitBreaker<number, string> = circuitBreaker<number, string>(
              {
                isReady: () => true,
                do: () => {
                  if (failing) return Promise.reject(new Error('down'));
                  if (breaker.state !== 'half-open') return Promise.resolve('ok');
                  const succeeds = trialSucceeds[trialsStarted++ % trialSucceeds.length]!;
                  return s.schedule(Promise.resolve(succeeds)).then((ok) => {
                    verdicts.push(ok);
                    if (!ok) throw trialFailure;
                    return 'ok';
                  });
                },
              },
              { failureThreshold: 1, resetTimeout: 100, halfOpenMaxCalls, scheduler },
            );
            await breaker.do(0).catch(() => undefined);
            failing = false;
            scheduler.frame = 100;

            const refusals: unknown[] = [];
            const settled: Promise<unknown>[] = [];
            // Callers that find the circuit not closed: while half-open they race for the trial places.
            let arrivedHalfOpen = 0;
            let arrivedOpen = 0;
            const attempt = (): void => {
              if (breaker.state === 'half-open') arrivedHalfOpen++;
              if (breaker.state === 'open') arrivedOpen++;
              settled.push(
                breaker.do(1).catch((error: unknown) => {
                  if (error !== trialFailure) refusals.push(error);
                }),
              );
            };
            for (let i = 0; i < herd; i++) attempt();
            expect(trialsStarted).toBe(Math.min(herd, halfOpenMaxCalls));
            for (let i = 0; i < latecomers; i++) settled.push(s.schedule(Promise.resolve()).then(attempt));
            await s.waitAll();
            await Promise.all(settled);

            expect(trialsStarted).toBe(Math.min(arrivedHalfOpen, halfOpenMaxCalls));
            expect(refusals).toHaveLength(arrivedHalfOpen - trialsStarted + arrivedOpen);
            expect(refusals.every((error) => error instanceof CircuitOpenError)).toBe(true);
            expect(breaker.state).toBe(verdicts[0] ? 'closed' : 'open');
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});
