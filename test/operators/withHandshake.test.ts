import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import {
  defer,
  finalize,
  from,
  lastValueFrom,
  NEVER,
  Observable,
  of,
  range,
  Subject,
  throwError,
  timer,
  toArray,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  CallTimeoutError,
  type DropReason,
  FlowMonitor,
  type FlowSnapshot,
  type Service,
  ServiceAtCapacityError,
  TrackedService,
  withHandshake,
} from '../../src/index.js';

/** A service whose calls settle only when the test says so. */
class ManualService<T> implements Service<T, string> {
  capacity: number;
  readonly calls: {
    item: T;
    signal: AbortSignal | undefined;
    resolve: (value: string) => void;
    reject: (error: unknown) => void;
  }[] = [];
  readonly readyAsked: boolean[] = [];
  active = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  isReady(): boolean {
    const ready = this.active < this.capacity;
    this.readyAsked.push(ready);
    return ready;
  }

  do(item: T, signal?: AbortSignal): Promise<string> {
    if (this.active >= this.capacity) throw new Error('do() was called on a service that is not ready');
    this.active++;
    return new Promise<string>((resolve, reject) => {
      this.calls.push({
        item,
        signal,
        resolve: (value) => {
          this.active--;
          resolve(value);
        },
        reject: (error) => {
          this.active--;
          reject(error);
        },
      });
    });
  }
}

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('withHandshake', () => {
  it('calls do() only when the service said it is ready, and merges the results', async () => {
    const service = new TrackedService({ capacity: 2, handler: async (n: number) => n * 10 });
    const results: number[] = [];
    let completed = false;
    range(0, 5)
      .pipe(withHandshake(service))
      .subscribe({ next: (value) => results.push(value), complete: () => (completed = true) });
    expect(service.active).toBe(2);
    for (let i = 0; i < 10 && !completed; i++) await flush();
    expect(results.sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40]);
    expect(completed).toBe(true);
  });

  it("with strategy 'error', declines at once with ServiceAtCapacityError and never calls do()", () => {
    const service = new TrackedService({
      capacity: 1,
      handler: (_item: number) => new Promise<number>(() => undefined),
    });
    const errors: unknown[] = [];
    const drops: [number, DropReason][] = [];
    const doSpy = service.do.bind(service);
    let calls = 0;
    service.do = (req, signal) => {
      calls++;
      return doSpy(req, signal);
    };
    range(0, 3)
      .pipe(
        withHandshake(service, { strategy: 'error', onDrop: (item, reason) => drops.push([item, reason]) }),
      )
      .subscribe({ error: (error) => errors.push(error) });
    expect(calls).toBe(1);
    expect(errors[0]).toBeInstanceOf(ServiceAtCapacityError);
    expect(errors[0]).toMatchObject({ capacity: 1, active: 1 });
    expect(drops).toEqual([[1, 'no-credit']]);
  });

  it("buffers while not ready and hands items over in order as the service's credits$ frees room", async () => {
    const service = new TrackedService({
      capacity: 1,
      handler: (n: number) => new Promise<number>((resolve) => setTimeout(() => resolve(n), 1)),
    });
    const results: number[] = [];
    const done = new Promise<void>((resolve) =>
      range(0, 6)
        .pipe(withHandshake(service, { bufferSize: 10 }))
        .subscribe({ next: (value) => results.push(value), complete: resolve }),
    );
    await done;
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('retries waiting items each time a call settles when the service has no credits$', async () => {
    const service = new ManualService<number>(1);
    const results: string[] = [];
    range(0, 3)
      .pipe(withHandshake(service))
      .subscribe((value) => results.push(value));
    expect(service.calls.map((call) => call.item)).toEqual([0]);
    service.calls[0]?.resolve('a');
    await flush();
    expect(service.calls.map((call) => call.item)).toEqual([0, 1]);
    service.calls[1]?.resolve('b');
    await flush();
    service.calls[2]?.resolve('c');
    await flush();
    expect(results).toEqual(['a', 'b', 'c']);
  });

  it('falls back to retrying waiting items as calls settle once the credits$ of the service completes', async () => {
    const service = new ManualService<number>(1);
    const provider = Object.assign(service, { credits$: of(1) });
    const results: string[] = [];
    let completed = false;
    range(0, 3)
      .pipe(withHandshake(provider))
      .subscribe({ next: (value) => results.push(value), complete: () => (completed = true) });
    service.calls[0]?.resolve('a');
    await flush();
    service.calls[1]?.resolve('b');
    await flush();
    service.calls[2]?.resolve('c');
    await flush();
    expect(results).toEqual(['a', 'b', 'c']);
    expect(completed).toBe(true);
  });

  it('never wakes by polling a timer: nothing happens until the service frees room', async () => {
    const service = new ManualService<number>(0);
    const results: string[] = [];
    range(0, 2)
      .pipe(withHandshake(service))
      .subscribe((value) => results.push(value));
    const asked = service.readyAsked.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(service.readyAsked.length).toBe(asked);
    expect(service.calls).toHaveLength(0);
  });

  it("with strategy 'drop', drops items the service is not ready for and reports each", () => {
    const service = new ManualService<number>(1);
    const drops: [number, DropReason][] = [];
    range(0, 3)
      .pipe(
        withHandshake(service, { strategy: 'drop', onDrop: (item, reason) => drops.push([item, reason]) }),
      )
      .subscribe();
    expect(service.calls.map((call) => call.item)).toEqual([0]);
    expect(drops).toEqual([
      [1, 'no-credit'],
      [2, 'no-credit'],
    ]);
  });

  it('delivers results in completion order by default, and in input order with ordered: true', async () => {
    for (const ordered of [false, true]) {
      const service = new ManualService<number>(3);
      const results: string[] = [];
      range(0, 3)
        .pipe(withHandshake(service, { ordered }))
        .subscribe((value) => results.push(value));
      service.calls[2]?.resolve('c');
      await flush();
      service.calls[0]?.resolve('a');
      await flush();
      service.calls[1]?.resolve('b');
      await flush();
      expect(results).toEqual(ordered ? ['a', 'b', 'c'] : ['c', 'a', 'b']);
    }
  });

  it('with ordered: true, reports the items whose results were held back for order when the output ends', async () => {
    const service = new ManualService<number>(3);
    const drops: [number, DropReason][] = [];
    const results: string[] = [];
    const subscription = range(0, 3)
      .pipe(withHandshake(service, { ordered: true, onDrop: (item, reason) => drops.push([item, reason]) }))
      .subscribe((value) => results.push(value));
    service.calls[1]?.resolve('b');
    service.calls[2]?.resolve('c');
    await flush();
    subscription.unsubscribe();
    expect(results).toEqual([]);
    // Call 0 is still in flight: aborted, as every call in flight is. Calls 1 and 2 had finished.
    expect(service.calls[0]?.signal?.aborted).toBe(true);
    expect(drops).toEqual([
      [1, 'unsubscribed'],
      [2, 'unsubscribed'],
    ]);

    const failing = new ManualService<number>(2);
    const failingDrops: [number, DropReason][] = [];
    const errors: unknown[] = [];
    range(0, 2)
      .pipe(
        withHandshake(failing, {
          ordered: true,
          onDrop: (item, reason) => failingDrops.push([item, reason]),
        }),
      )
      .subscribe({ error: (error) => errors.push(error) });
    failing.calls[1]?.resolve('b');
    await flush();
    failing.calls[0]?.reject('call 0 failed');
    await flush();
    expect(errors).toEqual(['call 0 failed']);
    // The failed item first, then the one whose result waited for it.
    expect(failingDrops).toEqual([
      [0, 'error'],
      [1, 'error'],
    ]);
  });

  it('merges every value of a do() that returns an Observable', () => {
    const service: Service<number, number> = { isReady: () => true, do: (n) => of(n, n + 100) };
    const results: number[] = [];
    of(1, 2)
      .pipe(withHandshake(service))
      .subscribe((value) => results.push(value));
    expect(results).toEqual([1, 101, 2, 102]);
  });

  it('errors the output when do() fails, starts no further do(), and drops the failed and waiting items as error', async () => {
    const service = new ManualService<number>(1);
    const errors: unknown[] = [];
    const drops: [number, DropReason][] = [];
    range(0, 3)
      .pipe(withHandshake(service, { onDrop: (item, reason) => drops.push([item, reason]) }))
      .subscribe({ error: (error) => errors.push(error) });
    service.calls[0]?.reject(new Error('service failed'));
    await flush();
    expect(errors).toEqual([new Error('service failed')]);
    expect(service.calls).toHaveLength(1);
    expect(drops).toEqual([
      [0, 'error'],
      [1, 'error'],
      [2, 'error'],
    ]);
  });

  it('errors the output when do() throws synchronously or returns something that is not a result', () => {
    const errors: unknown[] = [];
    of(1)
      .pipe(
        withHandshake<number, number>({
          isReady: () => true,
          do: () => {
            throw new Error('sync failure');
          },
        }),
      )
      .subscribe({ error: (error: Error) => errors.push(error.message) });
    of(1)
      .pipe(withHandshake<number, number>({ isReady: () => true, do: () => 5 as never }))
      .subscribe({ error: (error: Error) => errors.push(error.message) });
    expect(errors).toEqual([
      'sync failure',
      'service.do(req) must return a Promise or an Observable, got 5.',
    ]);
  });

  it('completes only after every waiting item was handed over and every call in flight delivered', async () => {
    const service = new ManualService<number>(1);
    const events: string[] = [];
    range(0, 2)
      .pipe(withHandshake(service))
      .subscribe({ next: (value) => events.push(value), complete: () => events.push('complete') });
    service.calls[0]?.resolve('a');
    await flush();
    expect(events).toEqual(['a']);
    service.calls[1]?.resolve('b');
    await flush();
    expect(events).toEqual(['a', 'b', 'complete']);
  });

  it('errors at once when the source errors, dropping waiting items', () => {
    const service = new ManualService<number>(0);
    const drops: [number, DropReason][] = [];
    const errors: unknown[] = [];
    const source = new Subject<number>();
    source.pipe(withHandshake(service, { onDrop: (item, reason) => drops.push([item, reason]) })).subscribe({
      error: (error) => errors.push(error),
    });
    source.next(1);
    source.error('boom');
    expect(errors).toEqual(['boom']);
    expect(drops).toEqual([[1, 'error']]);
  });

  it('on unsubscribe aborts every call in flight, unsubscribes Observable results and drops waiting items', () => {
    const promised = new ManualService<number>(1);
    const drops: [number, DropReason][] = [];
    const subscription = range(0, 3)
      .pipe(withHandshake(promised, { onDrop: (item, reason) => drops.push([item, reason]) }))
      .subscribe();
    subscription.unsubscribe();
    expect(promised.calls[0]?.signal?.aborted).toBe(true);
    expect(drops).toEqual([
      [1, 'unsubscribed'],
      [2, 'unsubscribed'],
    ]);

    let innerUnsubscribed = false;
    const observed: Service<number, number> = {
      isReady: () => true,
      do: () =>
        new Observable<number>(() => () => {
          innerUnsubscribed = true;
        }),
    };
    of(1).pipe(withHandshake(observed)).subscribe().unsubscribe();
    expect(innerUnsubscribed).toBe(true);
  });

  it('unsubscribes the service credits$ and the source on teardown', () => {
    const credits = new Subject<number>();
    const source = new Subject<number>();
    const service = { isReady: () => false, do: () => of(1), credits$: credits };
    source.pipe(withHandshake(service)).subscribe().unsubscribe();
    expect(credits.observed).toBe(false);
    expect(source.observed).toBe(false);
  });

  it('errors the output when the credits$ of the service errors', () => {
    const errors: unknown[] = [];
    NEVER.pipe(
      withHandshake({ isReady: () => true, do: () => of(1), credits$: throwError(() => 'no credits') }),
    ).subscribe({
      error: (error) => errors.push(error),
    });
    expect(errors).toEqual(['no credits']);
  });

  it('refuses a service without isReady and do, and bad options, when created', () => {
    expect(() => withHandshake({ do: () => of(1) } as never)).toThrow(TypeError);
    expect(() => withHandshake({ do: () => of(1) } as never)).toThrow(
      'withHandshake(service) must be a Service',
    );
    expect(() => withHandshake(new ManualService(1), { ordered: 'yes' as never })).toThrow(
      "options.ordered must be a boolean, got 'yes' (string)",
    );
    expect(() => withHandshake(new ManualService(1), { bufferSize: -1 })).toThrow(RangeError);
  });

  it('never runs more than capacity calls and delivers every item once, whatever order calls settle in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer(), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        async (scheduler, capacity, items, ordered) => {
          let peak = 0;
          const service = new TrackedService({
            capacity,
            handler: (item: number) => {
              peak = Math.max(peak, service.active);
              return scheduler.schedule(Promise.resolve(item), `settle ${item}`);
            },
          });
          const results: number[] = [];
          const errors: unknown[] = [];
          let completed = false;
          from(items)
            .pipe(withHandshake(service, { bufferSize: items.length, ordered }))
            .subscribe({
              next: (value) => results.push(value),
              error: (error) => errors.push(error),
              complete: () => (completed = true),
            });
          await scheduler.waitIdle();
          expect(errors).toEqual([]);
          expect(completed).toBe(true);
          expect(peak).toBeLessThanOrEqual(capacity);
          expect(service.active).toBe(0);
          if (ordered) expect(results).toEqual(items);
          else expect([...results].sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('withHandshake: each call its own signal', () => {
  it('gives 10,000 fetch-like calls 10,000 signals, with no listener warning and no listener of its own left', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const signals: AbortSignal[] = [];
      const service = new TrackedService({
        capacity: 16,
        // Like fetch: a listener on the signal for the request's lifetime, removed when it settles.
        handler: async (n: number, signal: AbortSignal) => {
          signals.push(signal);
          const onAbort = () => undefined;
          signal.addEventListener('abort', onAbort);
          await Promise.resolve();
          signal.removeEventListener('abort', onAbort);
          return n;
        },
      });
      const results = await lastValueFrom(
        range(0, 10_000).pipe(withHandshake(service, { bufferSize: 10_000 }), toArray()),
      );
      await flush();
      expect(results).toHaveLength(10_000);
      expect(new Set(signals).size).toBe(10_000);
      expect(signals.filter((signal) => getEventListeners(signal, 'abort').length > 0)).toEqual([]);
      expect(signals.some((signal) => signal.aborted)).toBe(false);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('leaves a listener that the work never removes on that call’s signal only', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const signals = new Set<AbortSignal>();
      const leaky: Service<number, number> = {
        isReady: () => true,
        do: async (n, signal) => {
          signal?.addEventListener('abort', () => undefined);
          if (signal !== undefined) signals.add(signal);
          return n;
        },
      };
      await lastValueFrom(range(0, 3_000).pipe(withHandshake(leaky), toArray()));
      await flush();
      expect(signals.size).toBe(3_000);
      expect(Math.max(...[...signals].map((signal) => getEventListeners(signal, 'abort').length))).toBe(1);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('aborts the signals of the calls in flight when the output is unsubscribed, and only theirs', async () => {
    const service = new ManualService<number>(2);
    const listened = (signal: AbortSignal | undefined) => signal?.addEventListener('abort', () => undefined);
    const subscription = range(0, 3).pipe(withHandshake(service)).subscribe();
    listened(service.calls[0]?.signal);
    listened(service.calls[1]?.signal);
    service.calls[0]?.resolve('done');
    await flush();
    const [first, second, third] = service.calls.map((call) => call.signal);
    subscription.unsubscribe();
    expect([first?.aborted, second?.aborted, third?.aborted]).toEqual([false, true, true]);
    expect(new Set([first, second, third]).size).toBe(3);
  });

  it('never gives two calls in flight one signal, and hands a later call only a signal nobody listened to', async () => {
    const inFlight = new Set<AbortSignal>();
    const listenedTo = new Set<AbortSignal>();
    const problems: string[] = [];
    let listen = false;
    const service = new TrackedService({
      capacity: 4,
      handler: async (n: number, signal: AbortSignal) => {
        if (inFlight.has(signal)) problems.push(`call ${n} shares a signal with a call in flight`);
        if (listenedTo.has(signal)) problems.push(`call ${n} got a signal that was listened to`);
        if (signal.aborted) problems.push(`call ${n} got an aborted signal`);
        inFlight.add(signal);
        listen = !listen;
        if (listen) {
          signal.addEventListener('abort', () => undefined);
          listenedTo.add(signal);
        }
        await Promise.resolve();
        inFlight.delete(signal);
        return n;
      },
    });
    const results = await lastValueFrom(
      range(0, 2_000).pipe(withHandshake(service, { bufferSize: 2_000 }), toArray()),
    );
    expect(results).toHaveLength(2_000);
    expect(problems).toEqual([]);
  });
});

describe('withHandshake: a failed call', () => {
  it.each([
    ['its own count of calls in flight', undefined],
    ['the service announcing room only after the failure is known', Number.POSITIVE_INFINITY],
  ])(
    'starts no do() for a waiting item when a TrackedService call fails and frees its slot (%s)',
    async (_, concurrency) => {
      const monitor = new FlowMonitor({ name: 'orders' });
      const held = new Promise<string>(() => undefined);
      const started: number[] = [];
      const service = new TrackedService({
        capacity: 2,
        handler: async (n: number) => {
          started.push(n);
          if (n === 1) throw new Error('call 1 failed');
          return held;
        },
      });
      const drops: [number, DropReason][] = [];
      let counts: FlowSnapshot | undefined;
      const errors: unknown[] = [];
      from([0, 1, 2, 3, 4])
        .pipe(
          withHandshake(service, {
            monitor,
            onDrop: (item, reason) => drops.push([item, reason]),
            ...(concurrency === undefined ? {} : { concurrency }),
          }),
        )
        .subscribe({
          error: (error) => {
            errors.push(error);
            counts = monitor.snapshot();
          },
        });
      await flush();
      expect(errors).toEqual([new Error('call 1 failed')]);
      expect(started).toEqual([0, 1]);
      expect(drops).toEqual([
        [1, 'error'],
        [2, 'error'],
        [3, 'error'],
        [4, 'error'],
      ]);
      expect(counts).toMatchObject({ received: 5, delivered: 1, buffered: 0 });
      expect(counts?.dropped.error).toBe(4);
    },
  );

  it('after the first failure starts no do() and reports every waiting item as error, whatever the timing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 25 }),
        fc.boolean(),
        fc.boolean(),
        async (scheduler, capacity, failing, ordered, bounded) => {
          let failed = false;
          let startedAfterFailure = 0;
          let started = 0;
          const monitor = new FlowMonitor({ name: 'property' });
          const service = new TrackedService({
            capacity,
            handler: (item: number) => {
              started++;
              if (failed) startedAfterFailure++;
              return scheduler.schedule(Promise.resolve(item), `settle ${item}`).then((value) => {
                if (!failing[value]) return value;
                failed = true;
                throw new Error(`item ${value} failed`);
              });
            },
          });
          const drops: [number, DropReason][] = [];
          const results: number[] = [];
          const errors: unknown[] = [];
          let counts: FlowSnapshot | undefined;
          from(failing.map((_, i) => i))
            .pipe(
              withHandshake(service, {
                bufferSize: failing.length,
                ordered,
                monitor,
                // Unbounded, only the service's announcements can wake a waiting item.
                concurrency: bounded ? capacity : Number.POSITIVE_INFINITY,
                onDrop: (item, reason) => drops.push([item, reason]),
              }),
            )
            .subscribe({
              next: (value) => results.push(value),
              error: (error) => {
                errors.push(error);
                counts = monitor.snapshot();
              },
            });
          await scheduler.waitIdle();
          expect(startedAfterFailure).toBe(0);
          if (!failing.includes(true)) {
            expect(errors).toEqual([]);
            return;
          }
          expect(errors).toHaveLength(1);
          const failedItem = Number(/item (\d+)/.exec(String(errors[0]))?.[1]);
          const neverStarted = failing.map((_, i) => i).slice(started);
          // The failed item, then every item still waiting (with `ordered`, finished items whose
          // results waited for an earlier one are reported too).
          expect(drops[0]).toEqual([failedItem, 'error']);
          for (const item of neverStarted) expect(drops).toContainEqual([item, 'error']);
          expect(drops.every(([, reason]) => reason === 'error')).toBe(true);
          expect(counts?.received).toBe(failing.length);
          expect(counts?.buffered).toBe(0);
          expect(counts?.dropped.error).toBe(drops.length);
          expect((counts?.delivered ?? 0) + drops.length).toBe(failing.length);
          expect(results.length).toBeLessThanOrEqual(counts?.delivered ?? 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** A service of Observables in virtual time: `plan(item, attempt)` says what each call does. */
function scriptedService(
  capacity: number,
  plan: (item: string, attempt: number) => Observable<string>,
): Service<string, string> & { capacity: number; active: number; calls: string[] } {
  const attempts = new Map<string, number>();
  const service = {
    capacity,
    active: 0,
    calls: [] as string[],
    isReady: () => service.active < service.capacity,
    do: (item: string) => {
      const attempt = (attempts.get(item) ?? 0) + 1;
      attempts.set(item, attempt);
      service.calls.push(`${item}${attempt}`);
      service.active++;
      return plan(item, attempt).pipe(finalize(() => service.active--));
    },
  };
  return service;
}

describe('withHandshake: what a failed call does to its item', () => {
  const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

  it("with callErrors 'drop', reports the item dropped as error and goes on with the others", () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const service = scriptedService(2, (item) =>
        item === 'b'
          ? cold('--#', undefined, new Error('b broke'))
          : cold('--(x|)', { x: item.toUpperCase() }),
      );
      const drops: [string, DropReason][] = [];
      const output = cold('abc|').pipe(
        withHandshake(service, { callErrors: 'drop', onDrop: (item, reason) => drops.push([item, reason]) }),
      );
      expectObservable(output).toBe('--A-(C|)', { A: 'A', C: 'C' });
      flush();
      expect(service.calls).toEqual(['a1', 'b1', 'c1']);
      expect(drops).toEqual([['b', 'error']]);
    });
  });

  it("with callErrors 'drop', counts the item dropped, not delivered", async () => {
    const monitor = new FlowMonitor({ name: 'drop' });
    const drops: [number, DropReason][] = [];
    const results = await lastValueFrom(
      range(0, 6).pipe(
        withHandshake<number, number>(
          { isReady: () => true, do: async (n) => (n % 2 === 0 ? n : Promise.reject(new Error(`odd ${n}`))) },
          { callErrors: 'drop', monitor, onDrop: (item, reason) => drops.push([item, reason]) },
        ),
        toArray(),
      ),
    );
    expect(results).toEqual([0, 2, 4]);
    expect(drops).toEqual([
      [1, 'error'],
      [3, 'error'],
      [5, 'error'],
    ]);
  });

  it('retries an item through the handshake after its backoff, honouring retryAfter, source subscribed once', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const refusal = new ServiceAtCapacityError({ retryAfter: 5 });
      const service = scriptedService(1, (item, attempt) =>
        item === 'a' && attempt === 1
          ? cold('-#', undefined, refusal)
          : cold('-(x|)', { x: item.toUpperCase() }),
      );
      const source = cold('a|');
      const output = source.pipe(
        withHandshake(service, { retry: { maxAttempts: 3, initialDelay: 2, jitter: 'none' } }),
      );
      // a fails at 1, waits max(2, retryAfter 5) = 5, runs again at 6 and answers at 7.
      expectObservable(output).toBe('-------(A|)', { A: 'A' });
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('waits no longer than maxDelay for a retryAfter of 25 days', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const refusal = new ServiceAtCapacityError({ retryAfter: 2_200_000_000 });
      const service = scriptedService(1, (item, attempt) =>
        attempt === 1 ? cold('#', undefined, refusal) : cold('(x|)', { x: item }),
      );
      expectObservable(
        cold('a').pipe(withHandshake(service, { retry: { initialDelay: 1, maxDelay: 40, jitter: 'none' } })),
      ).toBe('40ms a');
    });
  });

  it('counts an item waiting in backoff as in flight, so waiting lets no new item in', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const service = scriptedService(2, (item, attempt) =>
        attempt === 1 ? cold('-#', undefined, new ServiceAtCapacityError()) : cold('-(x|)', { x: item }),
      );
      const output = cold('(abcd|)').pipe(
        withHandshake(service, { retry: { initialDelay: 10, jitter: 'none' } }),
      );
      // a and b fail at 1 and wait until 11 with their slots free: c and d still wait behind them.
      expectObservable(output).toBe('------------(ab)--------(cd|)');
      flush();
    });
  });

  it('starts items whose backoff is over before items that never ran', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const service = scriptedService(1, (item, attempt) =>
        item === 'a' && attempt === 1
          ? cold('-#', undefined, new ServiceAtCapacityError())
          : cold('---(x|)', { x: item }),
      );
      const output = cold('(ab|)').pipe(
        withHandshake(service, { retry: { initialDelay: 2, jitter: 'none' }, concurrency: 2 }),
      );
      // a fails at 1; b runs 1-4; a's backoff ends at 3 but waits for the slot, then runs 4-7.
      expectObservable(output).toBe('----b--(a|)');
    });
  });

  it("after the last attempt, fails the output by default, or drops the item with callErrors 'drop'", () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const broken = new ServiceAtCapacityError();
      const plan = (item: string) =>
        item === 'a' ? cold('#', undefined, broken) : cold('(x|)', { x: item });
      const retry = { maxAttempts: 3, initialDelay: 1, jitter: 'none' as const };
      expectObservable(cold('a|').pipe(withHandshake(scriptedService(1, plan), { retry }))).toBe(
        '---#',
        undefined,
        broken,
      );
      const drops: [string, DropReason][] = [];
      const dropping = scriptedService(1, plan);
      expectObservable(
        cold('ab|').pipe(
          withHandshake(dropping, {
            retry,
            callErrors: 'drop',
            onDrop: (item, reason) => drops.push([item, reason]),
          }),
        ),
      ).toBe('---(b|)');
      flush();
      // b waits while a, in backoff, holds the only place in flight.
      expect(dropping.calls).toEqual(['a1', 'a2', 'a3', 'b1']);
    });
  });

  it('does not retry what retryIf refuses, and fails with what retryIf throws', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const failure = new Error('not worth it');
      const plan = () => cold('#', undefined, failure);
      expectObservable(cold('a|').pipe(withHandshake(scriptedService(1, plan), { retry: {} }))).toBe(
        '#',
        undefined,
        failure,
      );
      const thrown = new Error('retryIf broke');
      const retryIf = () => {
        throw thrown;
      };
      expectObservable(cold('a|').pipe(withHandshake(scriptedService(1, plan), { retry: { retryIf } }))).toBe(
        '#',
        undefined,
        thrown,
      );
    });
  });

  it('reports an item waiting for its retry as unsubscribed when the output ends, and cancels its timer', () => {
    const drops: [string, DropReason][] = [];
    let service: ReturnType<typeof scriptedService> | undefined;
    testScheduler().run(({ cold }) => {
      service = scriptedService(1, () => cold('#', undefined, new ServiceAtCapacityError()));
      const subscription = cold('a')
        .pipe(
          withHandshake(service, {
            retry: { initialDelay: 100, jitter: 'none' },
            onDrop: (item, reason) => drops.push([item, reason]),
          }),
        )
        .subscribe();
      timer(50).subscribe(() => subscription.unsubscribe());
    });
    expect(drops).toEqual([['a', 'unsubscribed']]);
    expect(service?.calls).toEqual(['a1']);
  });

  it('refuses bad failure options when created, naming the option and the value', () => {
    const service = new ManualService<number>(1);
    expect(() => withHandshake(service, { callErrors: 'ignore' as 'drop' })).toThrow(
      "options.callErrors must be one of fail, drop; got 'ignore'",
    );
    expect(() => withHandshake(service, { retry: { resetOnSuccess: true } as never })).toThrow(
      /options\.retry\.resetOnSuccess is not an option here/,
    );
    expect(() => withHandshake(service, { retry: { maxDelay: 2 ** 31 } })).toThrow(RangeError);
    expect(() => withHandshake(service, { retry: 3 as never })).toThrow('options.retry must be an object');
    expect(() => withHandshake(service, { timeout: 0 })).toThrow(/options\.timeout.*got 0/);
    expect(() => withHandshake(service, { timeout: 2 ** 31 })).toThrow(RangeError);
    expect(() => withHandshake(service, { concurrency: 1.5 })).toThrow(/options\.concurrency.*got 1\.5/);
  });
});

describe('withHandshake: timeout', () => {
  const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

  it('aborts a call that takes too long with a CallTimeoutError and fails the output with it', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const signals: AbortSignal[] = [];
      const service: Service<string, string> = {
        isReady: () => true,
        do: (_item, signal) => {
          if (signal !== undefined) signals.push(signal);
          return NEVER;
        },
      };
      expectObservable(cold('a').pipe(withHandshake(service, { timeout: 5 }))).toBe(
        '-----#',
        undefined,
        new CallTimeoutError(5),
      );
      flush();
      expect(signals[0]?.aborted).toBe(true);
      expect(signals[0]?.reason).toBeInstanceOf(CallTimeoutError);
    });
  });

  it('retries a timed-out call when retryIf says so, ignoring whatever the abandoned call does later', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const service = scriptedService(2, (item, attempt) =>
        attempt === 1 ? cold('----------(x|)', { x: 'late' }) : cold('-(x|)', { x: item }),
      );
      const retryIf = (error: unknown) => error instanceof CallTimeoutError;
      expectObservable(
        cold('a').pipe(
          withHandshake(service, { timeout: 3, retry: { retryIf, initialDelay: 1, jitter: 'none' } }),
        ),
      ).toBe('-----a');
      flush();
      expect(service.calls).toEqual(['a1', 'a2']);
    });
  });
});

describe('withHandshake: retry, whatever the timing', () => {
  it('delivers each item once, keeps running plus waiting items within concurrency, and subscribes once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        async (scheduler, capacity, failuresOf, ordered) => {
          const attempts = new Map<number, number>();
          let inFlightPeak = 0;
          let subscriptions = 0;
          const monitor = new FlowMonitor({ name: 'retry' });
          const service = new TrackedService({
            capacity,
            handler: (item: number) => {
              const attempt = (attempts.get(item) ?? 0) + 1;
              attempts.set(item, attempt);
              // Running calls and items waiting to be retried, this one included.
              inFlightPeak = Math.max(inFlightPeak, monitor.snapshot().inFlight ?? 0);
              const settled = scheduler.schedule(Promise.resolve(item), `item ${item} attempt ${attempt}`);
              return settled.then((value) => {
                if (attempt <= (failuresOf[value] ?? 0)) throw new ServiceAtCapacityError();
                return value;
              });
            },
          });
          const results: number[] = [];
          const errors: unknown[] = [];
          let completed = false;
          defer(() => {
            subscriptions++;
            return from(failuresOf.map((_, i) => i));
          })
            .pipe(
              withHandshake(service, {
                bufferSize: failuresOf.length,
                ordered,
                monitor,
                retry: { maxAttempts: 4, initialDelay: 0, jitter: 'none' },
              }),
            )
            .subscribe({
              next: (value) => results.push(value),
              error: (error) => errors.push(error),
              complete: () => (completed = true),
            });
          while (!completed && errors.length === 0) {
            await scheduler.waitIdle();
            await new Promise((resolve) => setTimeout(resolve, 0));
          }
          expect(errors).toEqual([]);
          expect(subscriptions).toBe(1);
          const items = failuresOf.map((_, i) => i);
          if (ordered) expect(results).toEqual(items);
          else expect([...results].sort((a, b) => a - b)).toEqual(items);
          for (const [item, failures] of failuresOf.entries()) expect(attempts.get(item)).toBe(failures + 1);
          expect(inFlightPeak).toBeLessThanOrEqual(capacity);
          expect(service.active).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});
