import { Readable } from 'node:stream';
import fc from 'fast-check';
import { config, NEVER, of, Subject, take, throwError } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { CreditController, isBackpressureError } from '../../src/index.js';
import { pullFrom } from '../../src/sources/pullFrom.js';
import { countingNaturals } from './countingNaturals.js';

/** A synchronous iterable of 0..length-1 that counts every call made on its iterator. */
function countingIterable(length: number) {
  const counts = { next: 0, return: 0 };
  const iterable: Iterable<number> = {
    [Symbol.iterator]: () => {
      let index = 0;
      return {
        next: () => {
          counts.next++;
          return index < length ? { done: false, value: index++ } : { done: true, value: undefined };
        },
        return: () => {
          counts.return++;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { iterable, counts };
}

/** Events of one subscription, in order. */
function record<T>() {
  const events = { values: [] as T[], completed: false, errors: [] as unknown[] };
  const observer = {
    next: (value: T) => events.values.push(value),
    error: (error: unknown) => events.errors.push(error),
    complete: () => {
      events.completed = true;
    },
  };
  return { events, observer };
}

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const indexes = (count: number) => Array.from({ length: count }, (_, index) => index);
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** Collects what RxJS reports as unhandled, for one test. */
function catchUnhandled(): unknown[] {
  const reported: unknown[] = [];
  config.onUnhandledError = (error) => reported.push(error);
  return reported;
}

afterEach(() => {
  config.onUnhandledError = null;
});

describe('pullFrom with a synchronous iterable', () => {
  it('calls next() once per credit and never more, however grants are made, including from inside next', () => {
    fc.assert(
      fc.property(
        fc.nat(30),
        fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 10 }),
        fc.array(fc.nat(3), { maxLength: 30 }),
        (length, grants, grantsInsideNext) => {
          const { iterable, counts } = countingIterable(length);
          const credits = new CreditController();
          let granted = 0;
          const grant = (n: number) => {
            granted += n;
            credits.grant(n);
          };
          const { events } = record<number>();
          pullFrom(iterable, credits).subscribe({
            next: (value) => {
              expect(counts.next).toBeLessThanOrEqual(granted);
              events.values.push(value);
              const extra = grantsInsideNext[events.values.length - 1] ?? 0;
              if (extra > 0) grant(extra);
            },
            complete: () => {
              events.completed = true;
            },
          });
          for (const n of grants) grant(n);
          expect(counts.next).toBe(Math.min(granted, length + 1));
          expect(events.values).toEqual(indexes(Math.min(granted, length)));
          expect(events.completed).toBe(granted > length);
          expect(counts.return).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stops an infinite generator after 5 reads under take(5), and lets it finish exactly once', () => {
    const { counts, naturals } = countingNaturals();
    const { events, observer } = record<number>();
    pullFrom(naturals(), of(Number.POSITIVE_INFINITY)).pipe(take(5)).subscribe(observer);
    expect(events.values).toEqual([0, 1, 2, 3, 4]);
    expect(events.completed).toBe(true);
    expect(counts.reads).toBe(5);
    expect(counts.finallyRuns).toBe(1);
  });

  it('reads a million items granted one at a time from inside next with a loop, not recursion', () => {
    const count = 1_000_000;
    const credits = new CreditController({ initial: 1 });
    let delivered = 0;
    let completed = false;
    pullFrom(indexes(count), credits).subscribe({
      next: () => {
        delivered++;
        credits.grant(1);
      },
      complete: () => {
        completed = true;
      },
    });
    expect(delivered).toBe(count);
    expect(completed).toBe(true);
  });

  it('treats a total beyond MAX_SAFE_INTEGER as unbounded', () => {
    const { iterable, counts } = countingIterable(5);
    const { events, observer } = record<number>();
    pullFrom(iterable, of(Number.MAX_SAFE_INTEGER, 1)).subscribe(observer);
    expect(events.values).toEqual([0, 1, 2, 3, 4]);
    expect(events.completed).toBe(true);
    expect(counts.next).toBe(6);
  });

  it('reads an array, by index, exactly as through its iterator: the same values and end at every grant, including grants and unsubscription from inside next', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 10 }),
        fc.array(fc.nat(3), { maxLength: 30 }),
        fc.option(fc.nat(25), { nil: undefined }),
        (array, grants, grantsInsideNext, leaveAfter) => {
          const run = (source: Iterable<number>) => {
            const credits = new CreditController();
            const { events } = record<number>();
            const steps: string[] = [];
            const subscription = pullFrom(source, credits).subscribe({
              next: (value) => {
                events.values.push(value);
                if (events.values.length === leaveAfter) subscription.unsubscribe();
                const extra = grantsInsideNext[events.values.length - 1] ?? 0;
                if (extra > 0 && !subscription.closed) credits.grant(extra);
              },
              complete: () => {
                events.completed = true;
              },
            });
            for (const n of grants) {
              credits.grant(n);
              steps.push(JSON.stringify(events));
            }
            return steps;
          };
          expect(run(array)).toEqual(run({ [Symbol.iterator]: () => array[Symbol.iterator]() }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads an array whose class brings its own iterator through that iterator', () => {
    class Reversed extends Array<number> {
      override *[Symbol.iterator](): ArrayIterator<number> {
        for (let index = this.length - 1; index >= 0; index--) yield this[index] as number;
      }
    }
    const { events, observer } = record<number>();
    pullFrom(Reversed.from([1, 2, 3]), of(Number.POSITIVE_INFINITY)).subscribe(observer);
    expect(events.values).toEqual([3, 2, 1]);
    expect(events.completed).toBe(true);
  });

  it('reads an array afresh for every subscription', () => {
    const source = pullFrom([1, 2], of(Number.POSITIVE_INFINITY));
    const first = record<number>();
    const second = record<number>();
    source.subscribe(first.observer);
    source.subscribe(second.observer);
    expect(first.events.values).toEqual([1, 2]);
    expect(second.events.values).toEqual([1, 2]);
  });

  it('errors the output with what next() throws, and does not call return() afterwards', () => {
    const counts = { return: 0 };
    const failing: Iterable<number> = {
      [Symbol.iterator]: () => ({
        next: () => {
          throw new Error('disk on fire');
        },
        return: () => {
          counts.return++;
          return { done: true, value: undefined };
        },
      }),
    };
    const { events, observer } = record<number>();
    pullFrom(failing, of(1)).subscribe(observer);
    expect(events.errors).toEqual([new Error('disk on fire')]);
    expect(counts.return).toBe(0);
  });

  it('errors the output with a TypeError when next() returns something that is not an object', () => {
    const broken = { [Symbol.iterator]: () => ({ next: () => 42 }) } as unknown as Iterable<number>;
    const { events, observer } = record<number>();
    pullFrom(broken, of(1)).subscribe(observer);
    expect(events.errors[0]).toBeInstanceOf(TypeError);
    expect(String(events.errors[0])).toContain('42');
  });
});

describe('pullFrom and its credit signal', () => {
  it.each([
    [0, RangeError],
    [-1, RangeError],
    [1.5, RangeError],
    [Number.NaN, RangeError],
    ['3', TypeError],
  ])('errors the output when the credit signal emits %s, releasing the source', (grant, kind) => {
    const { iterable, counts } = countingIterable(3);
    const { events, observer } = record<number>();
    pullFrom(iterable, of(grant as number)).subscribe(observer);
    expect(events.errors[0]).toBeInstanceOf(kind);
    expect(String(events.errors[0])).toContain(String(grant));
    expect(counts.next).toBe(0);
    expect(counts.return).toBe(1);
  });

  it('errors the output when the credit signal errors', () => {
    const { iterable, counts } = countingIterable(3);
    const { events, observer } = record<number>();
    pullFrom(
      iterable,
      throwError(() => new Error('no more money')),
    ).subscribe(observer);
    expect(events.errors).toEqual([new Error('no more money')]);
    expect(counts.return).toBe(1);
  });

  it('spends the outstanding credit after the credit signal completes, then completes and releases the source', () => {
    const { iterable, counts } = countingIterable(10);
    const { events, observer } = record<number>();
    pullFrom(iterable, of(2, 1)).subscribe(observer);
    expect(events.values).toEqual([0, 1, 2]);
    expect(events.completed).toBe(true);
    expect(counts.next).toBe(3);
    expect(counts.return).toBe(1);
  });

  it('takes grants from a raw observable as well as from a provider', () => {
    const grants = new Subject<number>();
    const { events, observer } = record<string>();
    pullFrom('abc', grants).subscribe(observer);
    expect(events.values).toEqual([]);
    grants.next(2);
    expect(events.values).toEqual(['a', 'b']);
  });

  it('throws a TypeError at the call site for a source of the wrong shape, naming it', () => {
    for (const bad of [42, null, undefined, {}, () => 1]) {
      expect(() => pullFrom(bad as unknown as Iterable<number>, of(1))).toThrow(TypeError);
    }
    expect(() => pullFrom(42 as unknown as Iterable<number>, of(1))).toThrow(/pullFrom\(source\).*42/);
  });

  it('throws a TypeError at the call site for credits of the wrong shape, naming them', () => {
    expect(() => pullFrom([1], 5 as unknown as CreditController)).toThrow(TypeError);
    expect(() => pullFrom([1], 5 as unknown as CreditController)).toThrow(/credits.*5/);
  });
});

describe('pullFrom and unsubscription', () => {
  it('lets go of its CreditController when it ends, so the next subscription takes it, refused until then', () => {
    const credits = new CreditController({ initial: 3 });
    const first: number[] = [];
    pullFrom(indexes(10), credits)
      .pipe(take(2))
      .subscribe((value) => first.push(value));
    const second: number[] = [];
    const subscription = pullFrom(indexes(10), credits).subscribe((value) => second.push(value));
    const errors: unknown[] = [];
    pullFrom(indexes(10), credits).subscribe({ error: (error) => errors.push(error) });
    credits.grant(1);
    subscription.unsubscribe();
    credits.grant(2);
    const third: number[] = [];
    pullFrom(indexes(10), credits).subscribe((value) => third.push(value));
    expect(first).toEqual([0, 1]);
    expect(second).toEqual([0]);
    expect(errors.map((error) => isBackpressureError(error) && error.code)).toEqual(['ERR_CREDITS_IN_USE']);
    expect(third).toEqual([0, 1]);
  });

  it('calls return() exactly once when unsubscribed, and never after the iterator ended by itself', () => {
    fc.assert(
      fc.property(
        fc.nat(10),
        fc.commands(
          [
            fc.integer({ min: 1, max: 4 }).map((n) => new GrantCommand(n)),
            fc.constant(new CompleteCreditsCommand()),
            fc.constant(new UnsubscribeCommand()),
          ],
          { maxCommands: 20 },
        ),
        (length, commands) => {
          const { iterable, counts } = countingIterable(length);
          const credits = new CreditController();
          const { events, observer } = record<number>();
          const real: Real = { counts, credits, events, subscription: undefined };
          real.subscription = pullFrom(iterable, credits).subscribe(observer);
          const model: Model = { length, granted: 0, creditsComplete: false, unsubscribed: false };
          fc.modelRun(() => ({ model, real }), commands);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('calls return() on an async iterator exactly once, even while a next() is pending', async () => {
    const counts = { next: 0, return: 0 };
    const hanging: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          counts.next++;
          return new Promise<IteratorResult<number>>(() => undefined);
        },
        return: async () => {
          counts.return++;
          return { done: true, value: undefined };
        },
      }),
    };
    const subscription = pullFrom(hanging, of(5)).subscribe();
    await settle();
    subscription.unsubscribe();
    subscription.unsubscribe();
    expect(counts).toEqual({ next: 1, return: 1 });
  });

  it('reports an error thrown by return() during teardown instead of swallowing it', async () => {
    const reported = catchUnhandled();
    const iterable: Iterable<number> = {
      [Symbol.iterator]: () => ({
        next: () => ({ done: false, value: 1 }),
        return: () => {
          throw new Error('cannot close');
        },
      }),
    };
    pullFrom(iterable, of(Number.POSITIVE_INFINITY)).pipe(take(1)).subscribe();
    await settle();
    expect(reported).toEqual([new Error('cannot close')]);
  });

  it('reports a rejection of an async return() during teardown', async () => {
    const reported = catchUnhandled();
    const iterable: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: 1 }),
        return: async () => {
          throw new Error('cannot close');
        },
      }),
    };
    const { events, observer } = record<number>();
    pullFrom(iterable, of(Number.POSITIVE_INFINITY)).pipe(take(1)).subscribe(observer);
    await settle();
    await settle();
    expect(events.values).toEqual([1]);
    expect(reported).toEqual([new Error('cannot close')]);
  });
});

interface Model {
  readonly length: number;
  granted: number;
  creditsComplete: boolean;
  unsubscribed: boolean;
}
interface Real {
  readonly counts: { next: number; return: number };
  readonly credits: CreditController;
  readonly events: { values: number[]; completed: boolean; errors: unknown[] };
  subscription: { unsubscribe(): void } | undefined;
}

/** What the real pullFrom must show after every command, computed from the model alone. */
function checkAgainstModel(model: Model, real: Real): void {
  const delivered = Math.min(model.granted, model.length);
  const endedByItself = model.granted > model.length && !model.unsubscribed;
  const exhausted = model.creditsComplete && model.granted <= model.length;
  expect(real.events.values).toEqual(indexes(delivered));
  expect(real.counts.next).toBe(Math.min(model.granted, model.length + 1));
  expect(real.events.completed).toBe(endedByItself || (exhausted && !model.unsubscribed));
  const released = !endedByItself && (model.unsubscribed || exhausted);
  expect(real.counts.return).toBe(released ? 1 : 0);
}

const ended = (model: Model) =>
  model.unsubscribed ||
  model.granted > model.length ||
  (model.creditsComplete && model.granted <= model.length);

class GrantCommand implements fc.Command<Model, Real> {
  constructor(readonly n: number) {}
  check = (model: Readonly<Model>) => !model.creditsComplete && !ended(model);
  run(model: Model, real: Real): void {
    model.granted += this.n;
    real.credits.grant(this.n);
    checkAgainstModel(model, real);
  }
  toString = () => `grant(${this.n})`;
}

class CompleteCreditsCommand implements fc.Command<Model, Real> {
  check = (model: Readonly<Model>) => !model.creditsComplete && !ended(model);
  run(model: Model, real: Real): void {
    model.creditsComplete = true;
    real.credits.complete();
    checkAgainstModel(model, real);
  }
  toString = () => 'complete credits';
}

class UnsubscribeCommand implements fc.Command<Model, Real> {
  check = () => true;
  run(model: Model, real: Real): void {
    const alreadyEnded = ended(model);
    real.subscription?.unsubscribe();
    if (!alreadyEnded) model.unsubscribed = true;
    checkAgainstModel(model, real);
  }
  toString = () => 'unsubscribe';
}

describe('pullFrom with an async iterable', () => {
  it('calls next() at most once per credit, with at most one pending, under any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.nat(12),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 8 }),
        async (s, length, grants) => {
          let calls = 0;
          let pending = 0;
          let mostPending = 0;
          let returns = 0;
          const iterable: AsyncIterable<number> = {
            [Symbol.asyncIterator]: () => {
              let index = 0;
              return {
                next: async () => {
                  calls++;
                  pending++;
                  mostPending = Math.max(mostPending, pending);
                  await s.schedule(Promise.resolve(), 'producer');
                  pending--;
                  return index < length
                    ? { done: false, value: index++ }
                    : { done: true as const, value: undefined };
                },
                return: async () => {
                  returns++;
                  return { done: true, value: undefined };
                },
              };
            },
          };
          const credits = new CreditController();
          let granted = 0;
          const { events } = record<number>();
          pullFrom(iterable, credits).subscribe({
            next: (value) => {
              expect(calls).toBeLessThanOrEqual(granted);
              events.values.push(value);
            },
            complete: () => {
              events.completed = true;
            },
          });
          for (const n of grants) {
            s.scheduleFunction(async () => {
              granted += n;
              credits.grant(n);
            })();
          }
          await s.waitIdle();
          const total = sum(grants);
          expect(mostPending).toBeLessThanOrEqual(1);
          expect(calls).toBe(Math.min(total, length + 1));
          expect(events.values).toEqual(indexes(Math.min(total, length)));
          expect(events.completed).toBe(total > length);
          expect(returns).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stops an async generator under take(n) and runs its finally block once', async () => {
    const { counts, asyncNaturals } = countingNaturals();
    const { events, observer } = record<number>();
    pullFrom(asyncNaturals(), of(Number.POSITIVE_INFINITY)).pipe(take(3)).subscribe(observer);
    for (let i = 0; i < 5; i++) await settle();
    expect(events.values).toEqual([0, 1, 2]);
    expect(events.completed).toBe(true);
    expect(counts.reads).toBe(3);
    expect(counts.finallyRuns).toBe(1);
  });

  it('errors the output with a rejection of next(), after the items before it', async () => {
    async function* failing() {
      yield 1;
      throw new Error('network down');
    }
    const { events, observer } = record<number>();
    pullFrom(failing(), of(10)).subscribe(observer);
    await settle();
    expect(events.values).toEqual([1]);
    expect(events.errors).toEqual([new Error('network down')]);
  });

  it('completes once credit is exhausted and the credit signal has completed, while a read was pending', async () => {
    const { counts, asyncNaturals } = countingNaturals();
    const { events, observer } = record<number>();
    pullFrom(asyncNaturals(), of(2)).subscribe(observer);
    await settle();
    expect(events.values).toEqual([0, 1]);
    expect(events.completed).toBe(true);
    expect(counts.finallyRuns).toBe(1);
  });

  it('never starts reading without credit', async () => {
    let reads = 0;
    async function* counting() {
      for (;;) yield reads++;
    }
    pullFrom(counting(), NEVER).subscribe();
    await settle();
    expect(reads).toBe(0);
  });
});

describe('pullFrom with a web ReadableStream', () => {
  function countingStream(length: number) {
    const counts = { pull: 0, cancel: 0 };
    const stream = new ReadableStream<number>(
      {
        pull: (controller) => {
          if (counts.pull === length) {
            controller.close();
            return;
          }
          controller.enqueue(counts.pull++);
        },
        cancel: () => {
          counts.cancel++;
        },
      },
      { highWaterMark: 0 },
    );
    return { stream, counts };
  }

  it('reads through a reader one credit at a time, and releases the lock when the stream ends', async () => {
    const { stream, counts } = countingStream(3);
    const credits = new CreditController({ initial: 2 });
    const { events, observer } = record<number>();
    pullFrom(stream, credits).subscribe(observer);
    await settle();
    expect(events.values).toEqual([0, 1]);
    expect(counts.pull).toBe(2);
    credits.grant(5);
    await settle();
    expect(events.values).toEqual([0, 1, 2]);
    expect(events.completed).toBe(true);
    expect(counts.cancel).toBe(0);
    expect(stream.locked).toBe(false);
  });

  it('cancels the reader exactly once when unsubscribed, and releases the lock', async () => {
    const { stream, counts } = countingStream(100);
    const { events, observer } = record<number>();
    pullFrom(stream, of(Number.POSITIVE_INFINITY)).pipe(take(4)).subscribe(observer);
    await settle();
    expect(events.values).toEqual([0, 1, 2, 3]);
    expect(counts.cancel).toBe(1);
    expect(stream.locked).toBe(false);
  });

  it('errors the output when the stream errors', async () => {
    const stream = new ReadableStream<number>({
      start: (controller) => {
        controller.enqueue(1);
        controller.error(new Error('socket reset'));
      },
    });
    const { events, observer } = record<number>();
    pullFrom(stream, of(3)).subscribe(observer);
    await settle();
    expect(events.errors).toEqual([new Error('socket reset')]);
  });

  it('errors the output when the stream is already locked', () => {
    const stream = new ReadableStream<number>();
    stream.getReader();
    const { events, observer } = record<number>();
    pullFrom(stream, of(1)).subscribe(observer);
    expect(events.errors[0]).toBeInstanceOf(TypeError);
  });
});

describe('pullFrom with a Node.js Readable', () => {
  function countingReadable(length: number, options: { highWaterMark: number; autoDestroy?: boolean }) {
    const counts = { produced: 0, destroy: 0 };
    const stream = new Readable({
      objectMode: true,
      ...options,
      read() {
        this.push(counts.produced < length ? counts.produced++ : null);
      },
      destroy(error, callback) {
        counts.destroy++;
        callback(error);
      },
    });
    return { stream, counts };
  }

  it('reads one chunk per credit, and lets the stream read ahead no further than its own buffer', async () => {
    const { stream, counts } = countingReadable(1000, { highWaterMark: 4 });
    const credits = new CreditController({ initial: 3 });
    const { events, observer } = record<number>();
    pullFrom<number>(stream, credits).subscribe(observer);
    await settle();
    expect(events.values).toEqual([0, 1, 2]);
    expect(counts.produced).toBeLessThanOrEqual(3 + 4 + 1);
    credits.grant(10);
    await settle();
    expect(events.values).toEqual(indexes(13));
    expect(counts.produced).toBeLessThanOrEqual(13 + 4 + 1);
  });

  it('completes when the stream ends, and never destroys a stream that ended by itself', async () => {
    const { stream, counts } = countingReadable(3, { highWaterMark: 2, autoDestroy: false });
    const { events, observer } = record<number>();
    const subscription = pullFrom<number>(stream, of(Number.POSITIVE_INFINITY)).subscribe(observer);
    await settle();
    expect(events.values).toEqual([0, 1, 2]);
    expect(events.completed).toBe(true);
    subscription.unsubscribe();
    expect(counts.destroy).toBe(0);
  });

  it('destroys the stream exactly once when unsubscribed', async () => {
    const { stream, counts } = countingReadable(100, { highWaterMark: 2 });
    const { events, observer } = record<number>();
    pullFrom<number>(stream, of(Number.POSITIVE_INFINITY)).pipe(take(5)).subscribe(observer);
    await settle();
    expect(events.values).toEqual([0, 1, 2, 3, 4]);
    expect(counts.destroy).toBe(1);
    expect(stream.destroyed).toBe(true);
  });

  it('errors the output when the stream errors, or closes before it ended', async () => {
    const failing = new Readable({ objectMode: true, read: () => undefined });
    const first = record<number>();
    pullFrom<number>(failing, of(1)).subscribe(first.observer);
    failing.destroy(new Error('EIO'));
    await settle();
    expect(first.events.errors).toEqual([new Error('EIO')]);

    const closing = new Readable({ objectMode: true, read: () => undefined });
    const second = record<number>();
    pullFrom<number>(closing, of(1)).subscribe(second.observer);
    closing.destroy();
    await settle();
    expect(isBackpressureError(second.events.errors[0])).toBe(true);
    expect(second.events.errors[0]).toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('completes at once for a stream that has already ended', async () => {
    const stream = Readable.from([1]);
    stream.resume();
    await settle();
    const { events, observer } = record<number>();
    pullFrom<number>(stream, of(1)).subscribe(observer);
    expect(events.completed).toBe(true);
  });
});
