import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { defer, NEVER, Observable, of, Subject, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import {
  CallTimeoutError,
  type CreditProvider,
  isBackpressureError,
  ServiceAtCapacityError,
  TrackedService,
} from '../../src/index.js';

/** Lets every pending promise callback run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function grantsOf(service: CreditProvider): number[] {
  const grants: number[] = [];
  service.credits$.subscribe((grant) => grants.push(grant));
  return grants;
}

describe('TrackedService', () => {
  it('refuses an unknown option, naming it and the option it most likely meant', () => {
    expect(() => new TrackedService({ capacity: 2, handler: async () => 1, timeOut: 100 } as never)).toThrow(
      new TypeError(
        'options.timeOut is not an option here (did you mean timeout?); the options are capacity, handler, monitor, timeout, scheduler.',
      ),
    );
  });

  describe('options', () => {
    it.each([-1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
      'refuses capacity %s with a RangeError naming the option and the value',
      (capacity) => {
        const create = () => new TrackedService({ capacity, handler: () => 1 });
        expect(create).toThrow(RangeError);
        expect(create).toThrow(`options.capacity must be a non-negative safe integer`);
        expect(create).toThrow(String(capacity));
      },
    );

    it('refuses a capacity that is not a number with a TypeError naming its type', () => {
      const create = () => new TrackedService({ capacity: '4' as unknown as number, handler: () => 1 });
      expect(create).toThrow(TypeError);
      expect(create).toThrow("options.capacity must be a number, got '4' (string)");
    });

    it('refuses a handler that is not a function, and options that are not an object', () => {
      expect(() => new TrackedService({ capacity: 1, handler: 'run' as unknown as () => 1 })).toThrow(
        /options\.handler must be a function, got 'run' \(string\)/,
      );
      expect(() => new TrackedService(null as unknown as { capacity: 1; handler: () => 1 })).toThrow(
        TypeError,
      );
    });

    it('accepts 0 (closed) and Infinity (no limit)', () => {
      expect(new TrackedService({ capacity: 0, handler: () => 1 }).isReady()).toBe(false);
      const unlimited = new TrackedService({ capacity: Number.POSITIVE_INFINITY, handler: () => 1 });
      expect(unlimited.isReady()).toBe(true);
      expect(grantsOf(unlimited)).toEqual([Number.POSITIVE_INFINITY]);
    });

    it.each([-2, 0.5, Number.NaN])('refuses setCapacity(%s) with a RangeError naming the value', (n) => {
      const service = new TrackedService({ capacity: 1, handler: () => 1 });
      expect(() => service.setCapacity(n)).toThrow(RangeError);
      expect(() => service.setCapacity(n)).toThrow(`setCapacity(n): n must be a non-negative safe integer`);
      expect(service.capacity).toBe(1);
    });

    it('refuses setCapacity with a non-number, and do() with a signal that is not an AbortSignal', () => {
      const service = new TrackedService({ capacity: 1, handler: () => 1 });
      expect(() => service.setCapacity(null as unknown as number)).toThrow(TypeError);
      expect(() => service.do(1, {} as AbortSignal)).toThrow(/signal must be an AbortSignal, got an object/);
      expect(service.active).toBe(0);
    });
  });

  describe('admission', () => {
    it('admits up to capacity, then refuses at once without calling the handler', async () => {
      const handler = vi.fn(() => NEVER);
      const service = new TrackedService({ capacity: 2, handler });
      void service.do(1);
      void service.do(2);
      expect(service.active).toBe(2);
      expect(service.isReady()).toBe(false);
      const refused = await service.do(3).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ServiceAtCapacityError);
      expect(refused).toMatchObject({ capacity: 2, active: 2, code: 'ERR_SERVICE_AT_CAPACITY' });
      expect(handler).toHaveBeenCalledTimes(2);
    });

    it('never calls the handler of a closed service', async () => {
      const handler = vi.fn(() => 1);
      const service = new TrackedService({ capacity: 0, handler });
      await expect(service.do(1)).rejects.toBeInstanceOf(ServiceAtCapacityError);
      expect(handler).not.toHaveBeenCalled();
    });

    it('rejects with the reason of a signal that is already aborted, without taking a slot', async () => {
      const handler = vi.fn(() => 1);
      const service = new TrackedService({ capacity: 1, handler });
      const controller = new AbortController();
      controller.abort(new Error('gave up'));
      await expect(service.do(1, controller.signal)).rejects.toThrow('gave up');
      expect(handler).not.toHaveBeenCalled();
      expect(service.active).toBe(0);
    });

    it('isReady() allocates nothing: a million calls leave the heap where it was', () => {
      const service = new TrackedService({ capacity: 1, handler: () => 1 });
      const before = process.memoryUsage().heapUsed;
      let ready = 0;
      for (let i = 0; i < 1_000_000; i++) if (service.isReady()) ready++;
      expect(ready).toBe(1_000_000);
      // Even 16 bytes per call would be 16 MB; allow noise from the test runner itself.
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(4_000_000);
    });
  });

  describe('settling frees the slot exactly once', () => {
    const outcomes: [string, () => unknown, 'resolves' | 'rejects'][] = [
      ['a resolved Promise', () => Promise.resolve('done'), 'resolves'],
      ['a rejected Promise', () => Promise.reject(new Error('failed')), 'rejects'],
      ['an Observable that completes', () => of('a', 'done'), 'resolves'],
      ['an Observable that errors', () => throwError(() => new Error('failed')), 'rejects'],
      ['a plain value', () => 'done', 'resolves'],
      [
        'a synchronous throw',
        () => {
          throw new Error('failed');
        },
        'rejects',
      ],
    ];

    it.each(outcomes)('for %s', async (_name, handler, outcome) => {
      const service = new TrackedService<number, unknown>({ capacity: 1, handler });
      const grants = grantsOf(service);
      const result = service.do(1);
      if (outcome === 'resolves') await expect(result).resolves.toBe('done');
      else await expect(result).rejects.toThrow('failed');
      await flush();
      expect(service.active).toBe(0);
      expect(grants).toEqual([1, 1]);
    });

    it('resolves with the last value of an Observable, and rejects clearly when it completes empty', async () => {
      const service = new TrackedService<boolean, number>({
        capacity: 1,
        handler: (empty) => (empty ? of<number>() : of(1, 2, 3)),
      });
      await expect(service.do(false)).resolves.toBe(3);
      const error = await service.do(true).catch((caught: unknown) => caught);
      expect(isBackpressureError(error) && error.code).toBe('ERR_EMPTY_RESULT');
      expect(String(error)).toContain('completed without a value');
      expect(service.active).toBe(0);
    });
  });

  describe('cancellation', () => {
    it("hands the caller's signal to the handler, so the handler sees it abort", async () => {
      const seen: AbortSignal[] = [];
      const pending = deferred<string>();
      const service = new TrackedService({
        capacity: 1,
        handler: (_req: number, signal) => {
          seen.push(signal);
          return pending.promise;
        },
      });
      const controller = new AbortController();
      const result = service.do(1, controller.signal);
      controller.abort();
      expect(seen[0]?.aborted).toBe(true);
      // A Promise handler keeps its slot until it settles, whatever the signal says.
      expect(service.active).toBe(1);
      pending.reject(new Error('aborted by the handler'));
      await expect(result).rejects.toThrow('aborted by the handler');
      expect(service.active).toBe(0);
    });

    it('gives the handler a signal that never aborts when the caller gave none', async () => {
      let signal: AbortSignal | undefined;
      const service = new TrackedService({
        capacity: 1,
        handler: (_req: number, given) => {
          signal = given;
          return 1;
        },
      });
      await service.do(1);
      expect(signal?.aborted).toBe(false);
    });

    it('unsubscribes an Observable handler and frees its slot at once when the caller aborts', async () => {
      let unsubscribed = false;
      const service = new TrackedService({
        capacity: 1,
        handler: () =>
          new Observable<number>(() => () => {
            unsubscribed = true;
          }),
      });
      const grants = grantsOf(service);
      const controller = new AbortController();
      const result = service.do(1, controller.signal);
      expect(service.active).toBe(1);
      controller.abort(new Error('caller left'));
      expect(unsubscribed).toBe(true);
      expect(service.active).toBe(0);
      await expect(result).rejects.toThrow('caller left');
      await flush();
      expect(grants).toEqual([1, 1]);
    });

    it('stops a synchronous Observable handler that aborts its own caller midway', async () => {
      const controller = new AbortController();
      let emitted = 0;
      const service = new TrackedService({
        capacity: 1,
        handler: () =>
          new Observable<number>((subscriber) => {
            for (let i = 0; !subscriber.closed && i < 1000; i++) {
              emitted++;
              if (i === 2) controller.abort(new Error('enough'));
              subscriber.next(i);
            }
            subscriber.complete();
          }),
      });
      await expect(service.do(1, controller.signal)).rejects.toThrow('enough');
      expect(emitted).toBe(3);
      expect(service.active).toBe(0);
    });

    it('listens once on a signal shared by many calls, and stops listening when they settle', async () => {
      const controller = new AbortController();
      const add = vi.spyOn(controller.signal, 'addEventListener');
      const remove = vi.spyOn(controller.signal, 'removeEventListener');
      const subjects: Subject<number>[] = [];
      const service = new TrackedService({
        capacity: 50,
        handler: () => {
          const subject = new Subject<number>();
          subjects.push(subject);
          return subject;
        },
      });
      const results = Array.from({ length: 50 }, (_, i) => service.do(i, controller.signal));
      expect(add).toHaveBeenCalledTimes(1);
      for (const [i, subject] of subjects.entries()) {
        subject.next(i);
        subject.complete();
      }
      expect(await Promise.all(results)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(remove).toHaveBeenCalledTimes(1);
      expect(remove.mock.calls[0]?.[1]).toBe(add.mock.calls[0]?.[1]);
    });

    it('aborts every Observable call waiting on a shared signal', async () => {
      const controller = new AbortController();
      const service = new TrackedService({ capacity: 3, handler: () => NEVER });
      const results = [1, 2, 3].map((i) => service.do(i, controller.signal));
      controller.abort(new Error('all gone'));
      expect(service.active).toBe(0);
      for (const result of results) await expect(result).rejects.toThrow('all gone');
    });
    it('frees each slot once when one aborted call makes another on the same signal settle', async () => {
      const controller = new AbortController();
      const second = new Subject<number>();
      const handlers = [() => NEVER, () => second];
      const service = new TrackedService({ capacity: 2, handler: (i: number) => handlers[i]!() });
      const results = [0, 1].map((i) => service.do(i, controller.signal));
      // The first call's abort completes the second call while the signal's listener is still running.
      controller.signal.addEventListener('abort', () => {
        second.next(2);
        second.complete();
      });
      controller.abort(new Error('gone'));
      expect(service.active).toBe(0);
      await expect(results[0]).rejects.toThrow('gone');
      await expect(results[1]).rejects.toThrow('gone');
      expect(service.isReady()).toBe(true);
      void service.do(0);
      void service.do(0);
      expect(service.active).toBe(2);
      await expect(service.do(0)).rejects.toBeInstanceOf(ServiceAtCapacityError);
    });
  });

  describe('credits$', () => {
    it('grants the free room on subscription, then one per freed slot', async () => {
      const pending = [deferred<number>(), deferred<number>()];
      const service = new TrackedService({ capacity: 3, handler: (i: number) => pending[i]!.promise });
      void service.do(0);
      const grants = grantsOf(service);
      expect(grants).toEqual([2]);
      void service.do(1);
      pending[1]!.resolve(1);
      await flush();
      expect(grants).toEqual([2, 1]);
    });

    it('grants nothing on subscription when the service is full', () => {
      const service = new TrackedService({ capacity: 1, handler: () => NEVER });
      void service.do(1);
      expect(grantsOf(service)).toEqual([]);
    });

    it('grants the added room at once when the capacity is raised, and nothing when it is lowered', () => {
      const service = new TrackedService({ capacity: 2, handler: () => NEVER });
      void service.do(1);
      const grants = grantsOf(service);
      service.setCapacity(5);
      service.setCapacity(1);
      service.setCapacity(3);
      expect(grants).toEqual([1, 3, 2]);
    });

    it('after a capacity cut below active, admits and grants nothing until active falls below it', async () => {
      const pending = Array.from({ length: 4 }, () => deferred<number>());
      const service = new TrackedService({ capacity: 4, handler: (i: number) => pending[i]!.promise });
      for (let i = 0; i < 4; i++) void service.do(i);
      const grants = grantsOf(service);
      service.setCapacity(2);
      for (const i of [0, 1]) {
        pending[i]!.resolve(i);
        await flush();
        expect(service.isReady()).toBe(false);
        await expect(service.do(9)).rejects.toBeInstanceOf(ServiceAtCapacityError);
      }
      expect(grants).toEqual([]);
      pending[2]!.resolve(2);
      await flush();
      expect(service.active).toBe(1);
      expect(grants).toEqual([1]);
    });

    it('broadcasts the same room to every subscriber', async () => {
      const pending = deferred<number>();
      const service = new TrackedService({ capacity: 2, handler: () => pending.promise });
      const first = grantsOf(service);
      void service.do(1);
      const second = grantsOf(service);
      pending.resolve(1);
      await flush();
      expect(first).toEqual([2, 1]);
      expect(second).toEqual([1, 1]);
    });

    it('stops granting to a subscriber that unsubscribed', () => {
      const service = new TrackedService({ capacity: 1, handler: () => 1 });
      const grants: number[] = [];
      service.credits$.subscribe((grant) => grants.push(grant)).unsubscribe();
      service.setCapacity(3);
      expect(grants).toEqual([1]);
    });

    it('serves a consumer that calls do() from inside a grant without recursion', async () => {
      const service = new TrackedService({ capacity: 1, handler: (i: number) => i });
      let calls = 0;
      let deepest = 0;
      const subscription = service.credits$.subscribe((grant) => {
        if (calls % 1000 === 0) deepest = Math.max(deepest, new Error().stack?.split('\n').length ?? 0);
        for (let i = 0; i < grant && calls < 20_000; i++) {
          calls++;
          void service.do(calls);
        }
      });
      for (let round = 0; round < 100 && calls < 20_000; round++) await flush();
      subscription.unsubscribe();
      expect(calls).toBe(20_000);
      expect(deepest).toBeLessThan(60);
    });

    it('grants a subscriber that joins during a broadcast its room once, not twice', async () => {
      const service = new TrackedService({ capacity: 2, handler: (i: number) => i });
      const late: number[] = [];
      let joined = false;
      service.credits$.subscribe((grant) => {
        if (!joined) {
          joined = true;
          // A call settles while the first subscriber is being notified, then a late one joins: the
          // freed slot is counted in the room it is told about on subscription, so it must not also
          // receive that slot's grant.
          void service.do(grant);
          service.credits$.subscribe((lateGrant) => late.push(lateGrant));
        }
      });
      await flush();
      expect(late).toEqual([1, 1]);
    });

    it('is a defer-friendly, never-completing observable', () => {
      const service = new TrackedService({ capacity: 1, handler: () => 1 });
      let completed = false;
      defer(() => service.credits$).subscribe({ complete: () => (completed = true) });
      expect(completed).toBe(false);
    });
  });

  describe('under concurrency (fast-check decides the order in which handlers settle)', () => {
    type Kind = 'resolve' | 'reject' | 'observable' | 'sync' | 'throw';
    type Action = { type: 'call'; kind: Kind } | { type: 'setCapacity'; n: number } | { type: 'subscribe' };
    const action: fc.Arbitrary<Action> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .constantFrom<Kind>('resolve', 'reject', 'observable', 'sync', 'throw')
          .map((kind) => ({ type: 'call' as const, kind })),
      },
      {
        weight: 2,
        arbitrary: fc.integer({ min: 0, max: 6 }).map((n) => ({ type: 'setCapacity' as const, n })),
      },
      { weight: 1, arbitrary: fc.constant({ type: 'subscribe' as const }) },
    );

    it('keeps active within capacity, frees every slot once, and never grants room that was not freed', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.integer({ min: 0, max: 5 }),
          fc.array(action, { minLength: 1, maxLength: 60 }),
          async (s, initial, actions) => {
            const problems: string[] = [];
            let admitted = 0;
            let service: TrackedService<Kind, unknown> | undefined;
            const room = (): number => Math.max(0, service!.capacity - service!.active);
            const handler = (kind: Kind): unknown => {
              admitted++;
              if (service!.active > service!.capacity) {
                problems.push(`admitted with ${service!.active} active > capacity ${service!.capacity}`);
              }
              switch (kind) {
                case 'sync':
                  return 'sync';
                case 'throw':
                  throw new Error('thrown');
                case 'resolve':
                  return s.schedule(Promise.resolve('resolved'));
                case 'reject':
                  return s.schedule(Promise.reject(new Error('rejected')));
                case 'observable':
                  return new Observable<string>((subscriber) => {
                    void s.schedule(Promise.resolve('observed')).then((value) => {
                      subscriber.next(value);
                      subscriber.complete();
                    });
                  });
              }
            };
            service = new TrackedService<Kind, unknown>({ capacity: initial, handler });

            // Each listener's grants are bounded by the room it saw plus the room made since.
            const listeners: {
              granted: number;
              seen: number;
              activeAt: number;
              admittedAt: number;
              raised: number;
            }[] = [];
            const check = (): void => {
              if (service!.active < 0) problems.push('a slot was freed twice');
              for (const listener of listeners) {
                const freedSince = listener.activeAt + (admitted - listener.admittedAt) - service!.active;
                if (listener.granted > listener.seen + listener.raised + freedSince) {
                  problems.push(`granted ${listener.granted}, more than the room made`);
                }
              }
            };
            const subscribe = (): void => {
              const listener = {
                granted: 0,
                seen: room(),
                activeAt: service!.active,
                admittedAt: admitted,
                raised: 0,
              };
              listeners.push(listener);
              service!.credits$.subscribe((grant) => {
                if (grant > room()) problems.push(`granted ${grant} with room for ${room()}`);
                listener.granted += grant;
                check();
              });
            };

            let calls = 0;
            let settledCalls = 0;
            for (const next of actions) {
              void s.schedule(Promise.resolve(next)).then((act) => {
                if (act.type === 'subscribe') {
                  subscribe();
                } else if (act.type === 'setCapacity') {
                  // Counted before the call, since the raise is granted from inside it.
                  const raised = Math.max(0, act.n - service!.active) - room();
                  for (const listener of listeners) listener.raised += Math.max(0, raised);
                  service!.setCapacity(act.n);
                } else {
                  calls++;
                  const ready = service!.isReady();
                  void service!.do(act.kind).then(
                    () => settledCalls++,
                    (error: unknown) => {
                      settledCalls++;
                      if (error instanceof ServiceAtCapacityError && ready) {
                        problems.push('refused although isReady() said true');
                      }
                    },
                  );
                }
                check();
              });
            }
            while (s.count() > 0) {
              await s.waitOne();
              check();
            }
            await flush();
            check();
            expect(problems.slice(0, 3)).toEqual([]);
            expect(service.active).toBe(0);
            expect(settledCalls).toBe(calls);
            for (const listener of listeners) {
              // Liveness: room that exists now was announced (no credit lost on the way).
              expect(listener.granted).toBeGreaterThanOrEqual(room() - listener.seen);
            }
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe('the outcome before the room', () => {
    it.each([
      ['a Promise that rejects later', () => Promise.reject(new Error('failed'))],
      [
        'a handler that throws at once',
        () => {
          throw new Error('failed');
        },
      ],
      ['an Observable that errors at once', () => throwError(() => new Error('failed'))],
    ])(
      "frees the slot at once but announces it only after the caller's handlers ran: %s",
      async (_, handler) => {
        const service = new TrackedService<number, number>({ capacity: 1, handler });
        const order: string[] = [];
        service.credits$.subscribe((grant) => order.push(`grant ${grant}`));
        service.do(1).catch(() => order.push(`caller, active ${service.active}`));
        await flush();
        expect(order).toEqual(['grant 1', 'caller, active 0', 'grant 1']);
      },
    );
  });

  describe('timeout', () => {
    it('rejects a call that runs too long with a CallTimeoutError, aborts its signal and frees its slot at once', async () => {
      const scheduler = new VirtualTimeScheduler();
      const signals: AbortSignal[] = [];
      const service = new TrackedService({
        capacity: 1,
        timeout: 50,
        scheduler,
        // Ignores its signal: the slot is freed anyway when the time is up.
        handler: (_n: number, signal) => {
          signals.push(signal);
          return new Promise<number>(() => undefined);
        },
      });
      const result = service.do(1);
      expect(service.isReady()).toBe(false);
      scheduler.flush();
      expect(scheduler.now()).toBe(50);
      expect(service.active).toBe(0);
      await expect(result).rejects.toEqual(new CallTimeoutError(50));
      expect(signals[0]?.aborted).toBe(true);
      expect(signals[0]?.reason).toBeInstanceOf(CallTimeoutError);
    });

    it('leaves a call that settles in time alone and cancels its timer', async () => {
      const scheduler = new VirtualTimeScheduler();
      const service = new TrackedService({
        capacity: 1,
        timeout: 50,
        scheduler,
        handler: async (n: number) => n,
      });
      await expect(service.do(7)).resolves.toBe(7);
      expect(scheduler.actions).toHaveLength(0);
    });

    it("passes the caller's abort on to the handler's own signal and leaves no listener on the caller's", async () => {
      const caller = new AbortController();
      let handlerSignal: AbortSignal | undefined;
      const service = new TrackedService({
        capacity: 1,
        timeout: 1_000,
        handler: (_n: number, signal) =>
          new Promise<number>((_resolve, reject) => {
            handlerSignal = signal;
            signal.addEventListener('abort', () => reject(signal.reason));
          }),
      });
      const result = service.do(1, caller.signal);
      expect(handlerSignal).not.toBe(caller.signal);
      caller.abort(new Error('caller left'));
      await expect(result).rejects.toThrow('caller left');
      expect(handlerSignal?.reason).toEqual(new Error('caller left'));
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
      expect(service.active).toBe(0);
    });

    it('unsubscribes an Observable handler when the time is up', async () => {
      const scheduler = new VirtualTimeScheduler();
      let unsubscribed = false;
      const service = new TrackedService({
        capacity: 1,
        timeout: 5,
        scheduler,
        handler: () => new Observable<number>(() => () => (unsubscribed = true)),
      });
      const result = service.do(1);
      scheduler.flush();
      await expect(result).rejects.toBeInstanceOf(CallTimeoutError);
      expect(unsubscribed).toBe(true);
    });

    it('refuses a timeout that is not a positive number of milliseconds a timer can wait', () => {
      const create = (timeout: unknown) => () =>
        new TrackedService({ capacity: 1, handler: () => 1, timeout: timeout as number });
      expect(create(0)).toThrow(/options\.timeout must be a positive number of milliseconds.*got 0/);
      expect(create(2 ** 31)).toThrow(RangeError);
      expect(create('5')).toThrow(TypeError);
      expect(() => new TrackedService({ capacity: 1, handler: () => 1, scheduler: {} as never })).toThrow(
        /options\.scheduler must be a SchedulerLike/,
      );
    });
  });
});
