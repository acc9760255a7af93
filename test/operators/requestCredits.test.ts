import {
  concat,
  EMPTY,
  map,
  NEVER,
  Observable,
  type ObservableInput,
  observable as observableSymbol,
  of,
  range,
  Subject,
  take,
  throwError,
  VirtualTimeScheduler,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  BufferOverflowError,
  CreditController,
  type CreditControllerOptions,
  CreditsExhaustedError,
  type DropReason,
  type RequestCreditsOptions,
  requestCredits,
} from '../../src/index.js';

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) =>
    expect(JSON.stringify(actual)).toEqual(JSON.stringify(expected)),
  );
}

/** Runs a marble test of requestCredits and returns the drops it reported. */
function marbles<T extends string>(
  source: string,
  credits: string,
  expected: string,
  options: Omit<RequestCreditsOptions<T>, 'onDrop' | 'scheduler'> = {},
  values?: { source?: Record<string, T>; credits?: Record<string, number>; expectedError?: unknown },
): [T, DropReason][] {
  const drops: [T, DropReason][] = [];
  const scheduler = testScheduler();
  scheduler.run(({ cold, hot, expectObservable }) => {
    const grants = cold(credits, values?.credits ?? { 1: 1, 2: 2, 3: 3, I: Number.POSITIVE_INFINITY });
    const items = hot<T>(source, values?.source);
    expectObservable(
      items.pipe(
        requestCredits(grants, {
          ...options,
          scheduler,
          onDrop: (item, reason) => {
            drops.push([item, reason]);
          },
        }),
      ),
    ).toBe(expected, values?.source, values?.expectedError);
  });
  return drops;
}

describe('requestCredits', () => {
  describe('credit', () => {
    it('delivers an item only against a granted credit, and buffers the rest by default', () => {
      marbles('--a--b--c--d-----|', '1--------2----1---', '--a------(bc)-d--|');
    });

    it('lets everything through once Infinity is granted', () => {
      marbles('--a--b--c--|', 'I', '--a--b--c--|');
    });

    it('applies credit granted synchronously to a synchronous source', () => {
      const delivered: number[] = [];
      range(0, 3)
        .pipe(requestCredits(of(2)))
        .subscribe((item) => delivered.push(item));
      expect(delivered).toEqual([0, 1]);
    });

    it('treats a total beyond MAX_SAFE_INTEGER as unbounded', () => {
      const delivered: number[] = [];
      range(0, 5)
        .pipe(requestCredits(of(Number.MAX_SAFE_INTEGER, 1)))
        .subscribe((item) => delivered.push(item));
      expect(delivered).toEqual([0, 1, 2, 3, 4]);
    });

    it('lets an item pass only when outstanding credit covers its cost', () => {
      marbles('--a--b--c----|', '2------3---2--1', '--a----b------(c|)', {
        cost: (item) => (item === 'a' ? 2 : 3),
      });
    });

    it('errors the output with a RangeError when cost returns something that is not a positive safe integer', () => {
      marbles(
        '--a--|',
        '3',
        '--#',
        { cost: () => 0.5 },
        {
          expectedError: new RangeError('options.cost(item) must return a positive safe integer, got 0.5.'),
        },
      );
    });

    it('subscribes the credit signal before the source', () => {
      const order: string[] = [];
      const source = new Observable<number>(() => {
        order.push('source');
      });
      const credits = new Observable<number>(() => {
        order.push('credits');
      });
      source.pipe(requestCredits(credits)).subscribe();
      expect(order).toEqual(['credits', 'source']);
    });

    it('accepts a provider, an interop observable and a bare subscribable as the credit signal', () => {
      const interop = {
        [observableSymbol]() {
          return of(2);
        },
      } as unknown as ObservableInput<number>;
      const subscribable = {
        subscribe(observer: { next: (value: number) => void }) {
          observer.next(1);
          return { unsubscribe() {} };
        },
      };
      for (const [credits, count] of [
        [{ credits$: of(3) }, 3],
        [interop, 2],
        [subscribable, 1],
      ] as const) {
        const delivered: number[] = [];
        range(0, 5)
          .pipe(requestCredits(credits as never))
          .subscribe((item) => delivered.push(item));
        expect(delivered).toHaveLength(count);
      }
    });

    it.each([
      [0, RangeError],
      [-1, RangeError],
      [1.5, RangeError],
      [Number.NaN, RangeError],
      ['3', TypeError],
    ])('errors the output when the credit signal emits the bad grant %s', (grant, kind) => {
      const errors: unknown[] = [];
      NEVER.pipe(requestCredits(of(grant as number))).subscribe({ error: (error) => errors.push(error) });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(kind);
      expect(String(errors[0])).toContain(typeof grant === 'string' ? `'${grant}'` : String(grant));
    });

    it('errors the output when the credit signal errors', () => {
      marbles('--a--b--|', '---#', '---#', {}, { expectedError: 'error' });
    });

    it('still uses outstanding credit after the credit signal completes, then drops what can never pass', () => {
      const drops = marbles('a-b-c-|', '(2|)', 'a-b---|');
      expect(drops).toEqual([['c', 'no-credit']]);
    });
  });

  describe('strategies', () => {
    it("'drop' drops items that arrive without credit, reporting 'no-credit'", () => {
      const drops = marbles('-a-b-c-d-|', '1---1', '-a---c---|', { strategy: 'drop' });
      expect(drops).toEqual([
        ['b', 'no-credit'],
        ['d', 'no-credit'],
      ]);
    });

    it("'latest' keeps only the newest waiting item, reporting the ones it replaced", () => {
      const drops = marbles('-a-b-c-d-|', '-------1-1', '-------d-|', { strategy: 'latest' });
      expect(drops).toEqual([
        ['a', 'replaced'],
        ['b', 'replaced'],
        ['c', 'replaced'],
      ]);
    });

    it("'error' fails with CreditsExhaustedError when an item arrives without credit", () => {
      const drops = marbles(
        '-a-b-|',
        '1',
        '-a-#',
        { strategy: 'error' },
        { expectedError: new CreditsExhaustedError('b', 0) },
      );
      expect(drops).toEqual([['b', 'no-credit']]);
    });

    it("'buffer' with overflow 'error' fails with BufferOverflowError carrying the item", () => {
      const errors: unknown[] = [];
      const drops: [number, DropReason][] = [];
      range(0, 5)
        .pipe(requestCredits(NEVER, { bufferSize: 2, onDrop: (item, reason) => drops.push([item, reason]) }))
        .subscribe({ error: (error) => errors.push(error) });
      expect(errors[0]).toBeInstanceOf(BufferOverflowError);
      expect(errors[0]).toMatchObject({ item: 2, bufferSize: 2 });
      expect(drops).toEqual([
        [2, 'overflow'],
        [0, 'error'],
        [1, 'error'],
      ]);
    });

    it("'drop-oldest' evicts the item that waited longest", () => {
      const drops = marbles('abcd--------|', '----3', '----(bcd)---|', {
        bufferSize: 3,
        overflow: 'drop-oldest',
      });
      expect(drops).toEqual([['a', 'overflow']]);
    });

    it("'drop-incoming' refuses the new item", () => {
      const drops = marbles('abcd--------|', '----3', '----(abc)---|', {
        bufferSize: 3,
        overflow: 'drop-incoming',
      });
      expect(drops).toEqual([['d', 'overflow']]);
    });

    it('delivers by priority, higher first and FIFO among equals', () => {
      const rank: Record<string, number> = { a: 1, b: 2, c: 1, d: 2, e: 0 };
      marbles('abcde----------|', '-----I', '-----(bdace)---|', { priority: (item) => rank[item] ?? 0 });
    });

    it("'drop-lowest' evicts the lowest-priority item, and the incoming one loses ties", () => {
      const rank: Record<string, number> = { a: 1, b: 3, c: 2, d: 1, e: 5 };
      const drops = marbles('abcde--------|', '-----I', '-----(ebc)---|', {
        bufferSize: 3,
        overflow: 'drop-lowest',
        priority: (item) => rank[item] ?? 0,
      });
      expect(drops).toEqual([
        ['d', 'overflow'],
        ['a', 'overflow'],
      ]);
    });

    it("drops items that waited longer than ttl as 'expired'", () => {
      const drops = marbles('ab----c-----|', '----------1', '----------c-|', { ttl: 5 });
      expect(drops).toEqual([
        ['a', 'expired'],
        ['b', 'expired'],
      ]);
    });

    it("applies ttl to the item kept by 'latest'", () => {
      const drops = marbles('a-b--------|', '--------1', '-----------|', { strategy: 'latest', ttl: 3 });
      expect(drops).toEqual([
        ['a', 'replaced'],
        ['b', 'expired'],
      ]);
    });
    it('delivers an item that takes the place of an evicted one when its cost is covered', () => {
      const source = new Subject<number>();
      const delivered: number[] = [];
      let completed = false;
      source
        .pipe(
          requestCredits(concat(of(3), NEVER), { cost: (n) => n, bufferSize: 1, overflow: 'drop-oldest' }),
        )
        .subscribe({ next: (item) => delivered.push(item), complete: () => (completed = true) });
      source.next(5); // costs more than the 3 credits: waits
      source.next(1); // evicts 5, and 1 credit covers it
      source.complete();
      expect(delivered).toEqual([1]);
      expect(completed).toBe(true);
    });

    it('delivers the next item when the one ahead of it expires and its cost is covered', () => {
      const scheduler = new VirtualTimeScheduler();
      const source = new Subject<number>();
      const delivered: number[] = [];
      source
        .pipe(requestCredits(concat(of(3), NEVER), { cost: (n) => n, ttl: 10, scheduler }))
        .subscribe((item) => delivered.push(item));
      source.next(5); // costs more than the 3 credits: waits until it expires at 10
      scheduler.schedule(() => source.next(1), 5);
      scheduler.schedule(() => delivered.push(-1), 11);
      scheduler.flush();
      expect(delivered).toEqual([1, -1]);
    });

    it('reports the incoming item when onDrop of the item it evicts ends the output', () => {
      for (const options of [
        { bufferSize: 1, overflow: 'drop-oldest' },
        { bufferSize: 1, overflow: 'drop-lowest', priority: (n: number) => n },
        { strategy: 'latest' },
      ] as const) {
        for (const end of ['unsubscribe', 'throw'] as const) {
          const source = new Subject<number>();
          const drops: [number, DropReason][] = [];
          const subscription = source
            .pipe(
              requestCredits<number>(NEVER, {
                ...options,
                onDrop: (item, reason) => {
                  drops.push([item, reason]);
                  if (item !== 1) return;
                  if (end === 'throw') throw new Error('bad onDrop');
                  subscription.unsubscribe();
                },
              }),
            )
            .subscribe({ error: () => undefined });
          source.next(1);
          source.next(2);
          const evicted = 'strategy' in options ? 'replaced' : 'overflow';
          const released = end === 'throw' ? 'error' : 'unsubscribed';
          expect(drops).toEqual([
            [1, evicted],
            [2, released],
          ]);
        }
      }
    });
  });

  describe('termination', () => {
    it('completes right after the last buffered item is delivered', () => {
      marbles('abc|', '--1-2', '--a-(bc|)');
    });

    it('completes at once when nothing is buffered, without needing credit', () => {
      marbles('---|', '', '---|');
    });

    it('delivers buffered items before a source error by default', () => {
      const drops = marbles('ab#', '--1-1', '--a-(b#)');
      expect(drops).toEqual([]);
    });

    it("lets a source error cut ahead with delayError: false, dropping the buffer as 'error'", () => {
      const drops = marbles('ab-#', '--1', '--a#', { delayError: false });
      expect(drops).toEqual([['b', 'error']]);
    });

    it('passes empty, never and error sources through like any operator', () => {
      const events: string[] = [];
      EMPTY.pipe(requestCredits(NEVER)).subscribe({ complete: () => events.push('empty completes') });
      throwError(() => new Error('boom'))
        .pipe(requestCredits(NEVER))
        .subscribe({ error: (error: Error) => events.push(error.message) });
      const never = NEVER.pipe(requestCredits(of(1))).subscribe();
      expect(never.closed).toBe(false);
      never.unsubscribe();
      expect(events).toEqual(['empty completes', 'boom']);
    });

    it('emits nothing after a terminal signal', () => {
      const source = new Subject<number>();
      const credits = new CreditController();
      const events: string[] = [];
      source.pipe(requestCredits(credits)).subscribe({
        next: (item) => events.push(`next ${item}`),
        complete: () => events.push('complete'),
      });
      source.next(1);
      source.complete();
      credits.grant(5);
      expect(events).toEqual(['next 1', 'complete']);
      source.next(2);
      expect(events).toEqual(['next 1', 'complete']);
    });
  });

  describe('unsubscription', () => {
    it("releases the source, the credit signal and the buffer at once, reporting each item as 'unsubscribed'", () => {
      const source = new Subject<number>();
      const credits = new Subject<number>();
      const drops: [number, DropReason][] = [];
      const subscription = source
        .pipe(requestCredits(credits, { onDrop: (item, reason) => drops.push([item, reason]) }))
        .subscribe();
      source.next(1);
      source.next(2);
      subscription.unsubscribe();
      expect(source.observed).toBe(false);
      expect(credits.observed).toBe(false);
      expect(drops).toEqual([
        [1, 'unsubscribed'],
        [2, 'unsubscribed'],
      ]);
    });

    it('cancels the ttl timer when unsubscribed', () => {
      const scheduler = testScheduler();
      scheduler.run(({ hot }) => {
        const subscription = hot('a')
          .pipe(requestCredits(NEVER, { ttl: 10, scheduler }))
          .subscribe();
        subscription.unsubscribe();
        expect(scheduler.actions).toHaveLength(0);
      });
    });

    it('stops a synchronous infinite source after take(n) (the synchronous firehose)', () => {
      let reads = 0;
      const infinite = new Observable<number>((subscriber) => {
        for (let i = 0; !subscriber.closed; i++) {
          reads++;
          subscriber.next(i);
        }
      });
      const delivered: number[] = [];
      infinite
        .pipe(requestCredits(of(Number.POSITIVE_INFINITY)), take(5))
        .subscribe((item) => delivered.push(item));
      expect(delivered).toEqual([0, 1, 2, 3, 4]);
      expect(reads).toBe(5);
    });

    it('stops a synchronous infinite source buffered behind credit once the buffer overflows', () => {
      let reads = 0;
      const infinite = new Observable<number>((subscriber) => {
        for (let i = 0; !subscriber.closed; i++) {
          reads++;
          subscriber.next(i);
        }
      });
      const errors: unknown[] = [];
      infinite
        .pipe(requestCredits(NEVER, { bufferSize: 8 }))
        .subscribe({ error: (error) => errors.push(error) });
      expect(errors[0]).toBeInstanceOf(BufferOverflowError);
      expect(reads).toBe(9);
    });
  });

  describe('re-entrancy', () => {
    it('handles a million grants made inside next in one drain loop, with constant stack depth', () => {
      const credits = new CreditController({ initial: 1 });
      let delivered = 0;
      let shallowest = Number.POSITIVE_INFINITY;
      let deepest = 0;
      range(0, 1_000_000)
        .pipe(requestCredits(credits, { bufferSize: 1_000_000 }))
        .subscribe(() => {
          delivered++;
          if (delivered % 100_000 === 1) {
            const depth = new Error().stack?.split('\n').length ?? 0;
            shallowest = Math.min(shallowest, depth);
            deepest = Math.max(deepest, depth);
          }
          credits.grant(1);
        });
      expect(delivered).toBe(1_000_000);
      expect(deepest).toBe(shallowest);
    });

    it('delivers buffered items in order when grants arrive from inside next', () => {
      const source = new Subject<number>();
      const credits = new CreditController();
      const delivered: number[] = [];
      source.pipe(requestCredits(credits)).subscribe((item) => {
        delivered.push(item);
        if (item === 0) source.next(99);
        credits.grant(1);
      });
      for (let i = 0; i < 5; i++) source.next(i);
      credits.grant(1);
      expect(delivered).toEqual([0, 1, 2, 3, 4, 99]);
    });
  });

  describe('a shared CreditController', () => {
    it('refuses a second concurrent subscription, so a grant is never spent twice', () => {
      const credits = new CreditController({ initial: 1 });
      const first: number[] = [];
      const errors: unknown[] = [];
      NEVER.pipe(requestCredits(credits)).subscribe();
      of(1)
        .pipe(requestCredits(credits))
        .subscribe({ next: (item) => first.push(item), error: (error) => errors.push(error) });
      expect(first).toEqual([]);
      expect(errors[0]).toMatchObject({ code: 'ERR_CREDITS_IN_USE' });
    });

    it('takes the grants of its own controller directly, without subscribing credits$', () => {
      const credits = new CreditController({ initial: 1 });
      const subscribe = vi.spyOn(credits.credits$, 'subscribe');
      const delivered: number[] = [];
      range(0, 5)
        .pipe(requestCredits(credits))
        .subscribe((item) => {
          delivered.push(item);
          credits.grant(1);
        });
      expect(delivered).toEqual([0, 1, 2, 3, 4]);
      expect(subscribe).not.toHaveBeenCalled();
    });

    it('refuses the controller while credits$ has a subscriber, and credits$ while a pipeline holds it', () => {
      const credits = new CreditController({ initial: 1 });
      const grants: number[] = [];
      const subscription = credits.credits$.subscribe((grant) => grants.push(grant));
      const errors: unknown[] = [];
      of(1)
        .pipe(requestCredits(credits))
        .subscribe({ error: (error) => errors.push(error) });
      expect(errors).toEqual([expect.objectContaining({ code: 'ERR_CREDITS_IN_USE' })]);
      subscription.unsubscribe();

      const delivered: number[] = [];
      of(1, 2)
        .pipe(requestCredits(credits))
        .subscribe((item) => delivered.push(item));
      credits.credits$.subscribe({ error: (error) => errors.push(error) });
      credits.grant(1);
      expect(grants).toEqual([1]);
      expect(delivered).toEqual([1]);
      expect(errors).toHaveLength(2);
      expect(errors[1]).toMatchObject({ code: 'ERR_CREDITS_IN_USE' });
    });

    it('hands grants made before the subscription to the pipeline, as one', () => {
      const credits = new CreditController({ initial: 2 });
      credits.grant(1);
      const source = new Subject<number>();
      const delivered: number[] = [];
      source.pipe(requestCredits(credits)).subscribe((item) => delivered.push(item));
      for (let i = 0; i < 5; i++) source.next(i);
      expect(delivered).toEqual([0, 1, 2]);
      credits.grant(2);
      expect(delivered).toEqual([0, 1, 2, 3, 4]);
    });

    it('after complete(), spends what is left, drops what can never pass, and frees the controller at once', () => {
      const credits = new CreditController({ initial: 1 });
      const source = new Subject<string>();
      const drops: [string, DropReason][] = [];
      const events: string[] = [];
      source
        .pipe(requestCredits(credits, { onDrop: (item, reason) => drops.push([item, reason]) }))
        .subscribe({ next: (item) => events.push(item), complete: () => events.push('complete') });
      credits.complete();
      source.next('a');
      source.next('b');
      expect(events).toEqual(['a']);
      // The first pipeline still runs, yet a later one is not refused: no credit can come to either.
      const later: string[] = [];
      of('x')
        .pipe(requestCredits(credits))
        .subscribe({ error: () => later.push('error'), complete: () => later.push('complete') });
      expect(later).toEqual(['complete']);
      source.complete();
      expect(events).toEqual(['a', 'complete']);
      expect(drops).toEqual([['b', 'no-credit']]);
    });

    it('releases the controller at teardown: grants made after it go to the next pipeline', () => {
      const credits = new CreditController({ initial: 1 });
      const first: number[] = [];
      const subscription = NEVER.pipe(requestCredits(credits)).subscribe((item) => first.push(item));
      credits.grant(2);
      subscription.unsubscribe();
      credits.grant(3);
      const second: number[] = [];
      range(0, 10)
        .pipe(requestCredits(credits))
        .subscribe((item) => second.push(item));
      expect(first).toEqual([]);
      expect(second).toEqual([0, 1, 2]);
    });

    it('releases the controller when take(n) ends the pipeline inside the grant that hands over credit', () => {
      const credits = new CreditController({ initial: 5 });
      const first: number[] = [];
      range(0, 10)
        .pipe(requestCredits(credits), take(1))
        .subscribe((item) => first.push(item));
      const second: number[] = [];
      range(0, 10)
        .pipe(requestCredits(credits))
        .subscribe((item) => second.push(item));
      credits.grant(2);
      expect(first).toEqual([0]);
      expect(second).toEqual([0, 1]);
    });

    it('works through credits$ with a CreditController from another copy of the package', async () => {
      vi.resetModules();
      const other = await import('../../src/credits/CreditController.js');
      expect(other.CreditController).not.toBe(CreditController);
      const credits = new other.CreditController({ initial: 1 });
      const subscribe = vi.spyOn(credits.credits$, 'subscribe');
      const delivered: number[] = [];
      range(0, 1000)
        .pipe(requestCredits(credits))
        .subscribe((item) => {
          delivered.push(item);
          credits.grant(1);
        });
      expect(delivered).toHaveLength(1000);
      expect(subscribe).toHaveBeenCalledTimes(1);
      const errors: unknown[] = [];
      NEVER.pipe(requestCredits(credits)).subscribe();
      NEVER.pipe(requestCredits(credits)).subscribe({ error: (error) => errors.push(error) });
      expect(errors).toEqual([expect.objectContaining({ code: 'ERR_CREDITS_IN_USE' })]);
    });

    it('honours a subclass that replaces credits$', () => {
      class Halved extends CreditController {
        declare readonly credits$: Observable<number>;
        constructor(options: CreditControllerOptions) {
          super(options);
          const own = this.credits$;
          this.credits$ = own.pipe(map((grant) => Math.ceil(grant / 2)));
        }
      }
      const credits = new Halved({ initial: 4 });
      const delivered: number[] = [];
      range(0, 10)
        .pipe(requestCredits(credits))
        .subscribe((item) => delivered.push(item));
      expect(delivered).toEqual([0, 1]);
    });
  });

  describe('bad options', () => {
    it.each([
      [{ bufferSize: 0 }, RangeError, 'options.bufferSize must be a positive integer, got 0.'],
      [{ bufferSize: 1.5 }, RangeError, 'got 1.5'],
      [
        { strategy: 'buffr' },
        RangeError,
        "options.strategy must be one of buffer, drop, latest, error; got 'buffr'",
      ],
      [{ overflow: 'drop-lowest' }, TypeError, "'drop-lowest' needs options.priority"],
      [{ strategy: 'drop', bufferSize: 4 }, TypeError, "bufferSize applies only to strategy 'buffer'"],
      [{ strategy: 'error', ttl: 5 }, TypeError, 'ttl applies only'],
      [{ ttl: -1 }, RangeError, 'options.ttl must be a positive finite number'],
      [{ onDrop: 'log' }, TypeError, "options.onDrop must be a function, got 'log' (string)"],
      [{ cost: 2 }, TypeError, 'options.cost must be a function, got 2'],
      [{ delayError: 'yes' }, TypeError, 'options.delayError must be a boolean'],
      [{ scheduler: {} }, TypeError, 'options.scheduler must be a SchedulerLike'],
      [{ buffersize: 8 }, TypeError, 'options.buffersize is not an option here (did you mean bufferSize?)'],
      [
        { highWaterMark: 8 },
        TypeError,
        'options.highWaterMark is not an option here; the options are strategy,',
      ],
    ])('throws when created with %o', (options, kind, message) => {
      expect(() => requestCredits(NEVER, options as never)).toThrow(kind);
      expect(() => requestCredits(NEVER, options as never)).toThrow(message);
    });

    it('throws a TypeError naming the argument when credits is neither a provider nor an observable', () => {
      expect(() => requestCredits(42 as never)).toThrow(TypeError);
      expect(() => requestCredits(42 as never)).toThrow('requestCredits(credits) must be a CreditProvider');
      expect(() => requestCredits({ credits$: 1 } as never)).toThrow('requestCredits(credits).credits$');
    });
  });

  describe('throwing callbacks', () => {
    it('errors the output, never the producer, when priority throws', () => {
      const source = new Subject<number>();
      const errors: unknown[] = [];
      const drops: [number, DropReason][] = [];
      source
        .pipe(
          requestCredits(NEVER, {
            priority: () => {
              throw new Error('bad priority');
            },
            onDrop: (item, reason) => drops.push([item, reason]),
          }),
        )
        .subscribe({ error: (error: Error) => errors.push(error.message) });
      expect(() => source.next(1)).not.toThrow();
      expect(errors).toEqual(['bad priority']);
      expect(drops).toEqual([[1, 'error']]);
    });

    it('errors the output when onDrop throws', () => {
      const errors: unknown[] = [];
      range(0, 3)
        .pipe(
          requestCredits(NEVER, {
            strategy: 'drop',
            onDrop: () => {
              throw new Error('bad onDrop');
            },
          }),
        )
        .subscribe({ error: (error: Error) => errors.push(error.message) });
      expect(errors).toEqual(['bad onDrop']);
    });

    it('errors the output when cost throws', () => {
      const errors: unknown[] = [];
      of(1)
        .pipe(
          requestCredits(of(1), {
            cost: () => {
              throw new Error('bad cost');
            },
          }),
        )
        .subscribe({ error: (error: Error) => errors.push(error.message) });
      expect(errors).toEqual(['bad cost']);
    });
  });
});
