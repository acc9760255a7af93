import fc from 'fast-check';
import { NEVER, Observable, of, Subject, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, type CreditProvider, type DropReason } from '../../src/index.js';
import { pullFrom } from '../../src/sources/pullFrom.js';
import { toAsyncIterable } from '../../src/sources/toAsyncIterable.js';
import { countingNaturals } from './countingNaturals.js';

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('toAsyncIterable, factory form', () => {
  it('never has more than highWaterMark items requested ahead of the loop, under any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(25),
        fc.nat(30),
        async (s, highWaterMark, length, stopAfter) => {
          let reads = 0;
          let consumed = 0;
          let mostAhead = 0;
          async function* producer() {
            for (let n = 0; n < length; n++) {
              reads++;
              mostAhead = Math.max(mostAhead, reads - consumed);
              await s.schedule(Promise.resolve(), 'produce');
              yield n;
            }
          }
          const received: number[] = [];
          const loop = (async () => {
            for await (const n of toAsyncIterable((credits) => pullFrom(producer(), credits), {
              highWaterMark,
            })) {
              consumed++;
              received.push(n);
              if (consumed === stopAfter) break;
              await s.schedule(Promise.resolve(), 'consume');
            }
          })();
          await s.waitIdle();
          await loop;
          expect(mostAhead).toBeLessThanOrEqual(highWaterMark);
          const expected = Math.min(length, stopAfter === 0 ? length : stopAfter);
          expect(received).toEqual(Array.from({ length: expected }, (_, index) => index));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads a synchronous producer at most highWaterMark items ahead of a slow loop', async () => {
    const { counts, naturals } = countingNaturals();
    let consumed = 0;
    for await (const n of toAsyncIterable((credits) => pullFrom(naturals(), credits), { highWaterMark: 3 })) {
      consumed++;
      expect(n).toBe(consumed - 1);
      expect(counts.reads - consumed).toBeLessThanOrEqual(3);
      await settle();
      expect(counts.reads - consumed).toBeLessThanOrEqual(3);
      if (consumed === 20) break;
    }
    expect(counts.reads).toBeLessThanOrEqual(23);
  });

  it('unsubscribes the pipeline when the loop breaks', async () => {
    const { counts, naturals } = countingNaturals();
    for await (const n of toAsyncIterable((credits) => pullFrom(naturals(), credits))) {
      if (n === 2) break;
    }
    expect(counts.finallyRuns).toBe(1);
  });

  it('throws an error of the pipeline from the loop after the items before it', async () => {
    async function* failing() {
      yield 1;
      yield 2;
      throw new Error('sensor unplugged');
    }
    const received: number[] = [];
    await expect(
      (async () => {
        for await (const n of toAsyncIterable((credits) => pullFrom(failing(), credits))) received.push(n);
      })(),
    ).rejects.toThrow('sensor unplugged');
    expect(received).toEqual([1, 2]);
  });

  it('hands the factory a provider (credits and readiness), not the controller it grants through', async () => {
    let given: CreditProvider | undefined;
    const iterator = toAsyncIterable((credits) => {
      given = credits;
      return of(1);
    });
    await iterator.next();
    expect(given).toBeDefined();
    expect(Object.keys(given ?? {})).toEqual(['credits$', 'isReady']);
  });

  it('subscribes nothing before the first next()', async () => {
    let calls = 0;
    const iterator = toAsyncIterable((credits) => {
      calls++;
      return pullFrom([1], credits);
    });
    await settle();
    expect(calls).toBe(0);
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    expect(calls).toBe(1);
  });

  it('errors the loop with a TypeError when the factory returns no Observable', async () => {
    const iterator = toAsyncIterable(() => 42 as unknown as Observable<number>);
    await expect(iterator.next()).rejects.toThrow(TypeError);
    await expect(toAsyncIterable(() => 42 as unknown as Observable<number>).next()).rejects.toThrow(/42/);
  });

  it('fails with BufferOverflowError when the pipeline ignores its credits', async () => {
    const iterator = toAsyncIterable(() => of(1, 2, 3, 4, 5), { highWaterMark: 2 });
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(iterator.next()).rejects.toBeInstanceOf(BufferOverflowError);
  });
});

describe('toAsyncIterable, plain Observable form', () => {
  it('delivers every item in order, then ends', async () => {
    const received: number[] = [];
    for await (const n of toAsyncIterable(of(1, 2, 3))) received.push(n);
    expect(received).toEqual([1, 2, 3]);
  });

  it('holds a source that cannot be slowed in a bounded buffer, reporting what it drops', async () => {
    const source = new Subject<number>();
    const dropped: [number, DropReason][] = [];
    const iterator = toAsyncIterable(source, {
      bufferSize: 2,
      overflow: 'drop-oldest',
      onDrop: (n, reason) => dropped.push([n, reason]),
    });
    const first = iterator.next();
    for (let n = 0; n < 5; n++) source.next(n);
    source.complete();
    expect(await first).toEqual({ done: false, value: 0 });
    expect(await iterator.next()).toEqual({ done: false, value: 3 });
    expect(await iterator.next()).toEqual({ done: false, value: 4 });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(dropped).toEqual([
      [1, 'overflow'],
      [2, 'overflow'],
    ]);
  });

  it('rejects the next call once with an error that arrived while nobody waited, then stays done', async () => {
    const source = new Subject<number>();
    const iterator = toAsyncIterable(source);
    const first = iterator.next();
    source.next(1);
    expect(await first).toEqual({ done: false, value: 1 });
    source.error(new Error('late'));
    await expect(iterator.next()).rejects.toThrow('late');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('drops an error nobody took yet when the loop leaves: the next call is done, not rejected', async () => {
    const source = new Subject<number>();
    const iterator = toAsyncIterable(source);
    const first = iterator.next();
    source.next(1);
    await first;
    source.error(new Error('unseen'));
    await iterator.return?.();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('settles concurrent next() calls in order', async () => {
    const source = new Subject<string>();
    const iterator = toAsyncIterable(source);
    const calls = [iterator.next(), iterator.next(), iterator.next()];
    source.next('a');
    source.next('b');
    source.error(new Error('gone'));
    const settled = await Promise.allSettled(calls);
    expect(settled).toEqual([
      { status: 'fulfilled', value: { done: false, value: 'a' } },
      { status: 'fulfilled', value: { done: false, value: 'b' } },
      { status: 'rejected', reason: new Error('gone') },
    ]);
  });

  it('settles every next() once, in call order: items, then the error once unless the loop left first, then only done', async () => {
    type Step = 'next' | 'emit' | 'complete' | 'error' | 'return';
    const steps = fc.constantFrom<Step>('next', 'next', 'emit', 'emit', 'complete', 'error', 'return');
    await fc.assert(
      fc.asyncProperty(fc.array(steps, { maxLength: 25 }), async (sequence) => {
        const source = new Subject<number>();
        const iterator = toAsyncIterable(source);
        const outcomes: string[] = [];
        const calls: Promise<void>[] = [];
        const call = (): void => {
          const slot = outcomes.length;
          outcomes.push('pending');
          calls.push(
            iterator.next().then(
              (result) => {
                outcomes[slot] = result.done ? 'done' : `item ${result.value}`;
              },
              (error: Error) => {
                outcomes[slot] = `error ${error.message}`;
              },
            ),
          );
        };
        let emitted = 0;
        let errorMayReach = false;
        let sourceEnded = false;
        let left = false;
        for (const step of sequence) {
          if (step === 'next') call();
          else if (step === 'emit') source.next(emitted++);
          else if (step === 'complete') source.complete();
          else if (step === 'error') {
            errorMayReach ||= !sourceEnded && !left;
            source.error(new Error('boom'));
          } else {
            left = true;
            await iterator.return?.();
          }
          if (step === 'complete' || step === 'error') sourceEnded = true;
          await Promise.resolve();
        }
        call();
        await iterator.return?.();
        await Promise.all(calls);
        expect(outcomes).not.toContain('pending');
        const items = outcomes.filter((outcome) => outcome.startsWith('item'));
        const errors = outcomes.filter((outcome) => outcome.startsWith('error'));
        // Items first and in order, then at most one error, then done only.
        expect(outcomes.slice(0, items.length)).toEqual(items);
        expect(items.map((item) => Number(item.slice(5)))).toEqual(
          [...items.keys()].map((index) => Number(items[0]?.slice(5)) + index),
        );
        expect(outcomes.slice(items.length + errors.length).every((outcome) => outcome === 'done')).toBe(
          true,
        );
        expect(errors.length).toBeLessThanOrEqual(1);
        if (errors.length === 1) expect(errorMayReach).toBe(true);
      }),
    );
  });

  it('return() unsubscribes the source and ends the waiting calls', async () => {
    let unsubscribed = 0;
    const iterator = toAsyncIterable(
      new Observable<number>(() => () => {
        unsubscribed++;
      }),
    );
    const waiting = iterator.next();
    expect(await iterator.return?.()).toEqual({ done: true, value: undefined });
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(unsubscribed).toBe(1);
  });

  it('passes an error of the source straight to the waiting call', async () => {
    await expect(toAsyncIterable(throwError(() => new Error('nope'))).next()).rejects.toThrow('nope');
  });

  it('is its own async iterable', () => {
    const iterator = toAsyncIterable(NEVER);
    expect(iterator[Symbol.asyncIterator]()).toBe(iterator);
  });
});

describe('toAsyncIterable options', () => {
  it.each([
    [0, RangeError],
    [-1, RangeError],
    [2.5, RangeError],
    [Number.POSITIVE_INFINITY, RangeError],
    ['16', TypeError],
  ])('refuses highWaterMark %s at once with an error naming it', (highWaterMark, kind) => {
    const create = () => toAsyncIterable(of(1), { highWaterMark: highWaterMark as number });
    expect(create).toThrow(kind);
    expect(create).toThrow(/options\.highWaterMark/);
  });

  it('refuses bad buffer options at once', () => {
    expect(() => toAsyncIterable(of(1), { bufferSize: 0 })).toThrow(RangeError);
    expect(() => toAsyncIterable((credits) => pullFrom([1], credits), { overflow: 'drop-lowest' })).toThrow(
      TypeError,
    );
  });

  it('refuses a source that is neither an Observable nor a factory, naming it', () => {
    expect(() => toAsyncIterable([1, 2] as unknown as Observable<number>)).toThrow(TypeError);
    expect(() => toAsyncIterable([1, 2] as unknown as Observable<number>)).toThrow(
      /toAsyncIterable\(source\)/,
    );
  });
});
