import { Writable } from 'node:stream';
import fc from 'fast-check';
import { NEVER, Observable, of, range, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isBackpressureError } from '../../src/index.js';
import { writeTo } from '../../src/sources/writeTo.js';

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const indexes = (count: number) => Array.from({ length: count }, (_, index) => index);

function record() {
  const events = { completed: false, errors: [] as unknown[], values: [] as unknown[] };
  const observer = {
    next: (value: unknown) => events.values.push(value),
    error: (error: unknown) => events.errors.push(error),
    complete: () => {
      events.completed = true;
    },
  };
  return { events, observer };
}

/** A Node writable whose writes finish only when the test says so. */
function slowWritable(highWaterMark: number) {
  const state = { written: [] as number[], handedOver: 0, destroyed: 0, pending: [] as (() => void)[] };
  const writable = new Writable({
    objectMode: true,
    highWaterMark,
    // Off, so every destroy() counted here is one writeTo asked for.
    autoDestroy: false,
    write(item: number, _encoding, done) {
      state.written.push(item);
      state.pending.push(done);
    },
    destroy(error, callback) {
      state.destroyed++;
      callback(error);
    },
  });
  const write = writable.write.bind(writable);
  writable.write = ((item: number) => {
    state.handedOver++;
    return write(item);
  }) as typeof writable.write;
  const finishOne = () => state.pending.shift()?.();
  return { writable, state, finishOne };
}

describe('writeTo a Node.js writable', () => {
  it('hands over items only while write() has room, resuming on drain, and completes after finish', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.nat(20),
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 30 }),
        async (highWaterMark, count, batches) => {
          const { writable, state, finishOne } = slowWritable(highWaterMark);
          const { events, observer } = record();
          range(0, count).pipe(writeTo(writable)).subscribe(observer);
          expect(state.handedOver).toBe(Math.min(count, highWaterMark));
          const finishBatch = async (size: number) => {
            for (let i = 0; i < size; i++) finishOne();
            await settle();
            const finished = state.written.length - state.pending.length;
            expect(state.handedOver - finished).toBeLessThanOrEqual(highWaterMark);
          };
          for (const size of batches) await finishBatch(size);
          for (let round = 0; round <= count && !events.completed; round++) await finishBatch(1);
          expect(state.written).toEqual(indexes(count));
          expect(events.completed).toBe(true);
          expect(events.values).toEqual([]);
          expect(state.destroyed).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('holds what a fast source pushes meanwhile in the bounded buffer of the options, reporting drops', async () => {
    const { writable, state, finishOne } = slowWritable(2);
    const dropped: number[] = [];
    const { events, observer } = record();
    range(0, 10)
      .pipe(writeTo(writable, { bufferSize: 3, overflow: 'drop-incoming', onDrop: (n) => dropped.push(n) }))
      .subscribe(observer);
    expect(state.handedOver).toBe(2);
    expect(dropped).toEqual([5, 6, 7, 8, 9]);
    while (!events.completed) {
      finishOne();
      await settle();
    }
    expect(state.written).toEqual([0, 1, 2, 3, 4]);
  });

  it('errors the output with an error of the writable, and unsubscribes the source', async () => {
    let unsubscribed = 0;
    const writable = new Writable({
      objectMode: true,
      write: (_item, _encoding, done) => done(new Error('disk full')),
    });
    const { events, observer } = record();
    new Observable<number>((subscriber) => {
      subscriber.next(1);
      return () => {
        unsubscribed++;
      };
    })
      .pipe(writeTo(writable))
      .subscribe(observer);
    await settle();
    expect(events.errors).toEqual([new Error('disk full')]);
    expect(unsubscribed).toBe(1);
  });

  it('destroys the writable exactly once when unsubscribed before it finished', () => {
    const { writable, state } = slowWritable(4);
    const subscription = NEVER.pipe(writeTo(writable)).subscribe();
    subscription.unsubscribe();
    subscription.unsubscribe();
    expect(state.destroyed).toBe(1);
  });

  it('errors the output with an error of the source, and destroys the writable', () => {
    const { writable, state } = slowWritable(4);
    const { events, observer } = record();
    throwError(() => new Error('bad input'))
      .pipe(writeTo(writable))
      .subscribe(observer);
    expect(events.errors).toEqual([new Error('bad input')]);
    expect(state.destroyed).toBe(1);
  });

  it('errors the output when the writable is destroyed by someone else before it finished', async () => {
    const { writable } = slowWritable(4);
    const { events, observer } = record();
    NEVER.pipe(writeTo(writable)).subscribe(observer);
    writable.destroy();
    await settle();
    expect(isBackpressureError(events.errors[0])).toBe(true);
    expect(events.errors[0]).toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('errors the output at once for a writable that has already ended', () => {
    const { writable } = slowWritable(4);
    writable.end();
    const { events, observer } = record();
    of(1).pipe(writeTo(writable)).subscribe(observer);
    expect(events.errors[0]).toMatchObject({ code: 'ERR_STREAM_ENDED' });
  });

  it('errors the output when write() throws', () => {
    const bytes = new Writable({ write: (_chunk, _encoding, done) => done() });
    const { events, observer } = record();
    of(42).pipe(writeTo(bytes)).subscribe(observer);
    expect(events.errors[0]).toBeInstanceOf(TypeError);
  });
});

/** A WHATWG writable whose writes finish only when the test says so. */
function slowWritableStream(highWaterMark: number) {
  const state = {
    written: [] as number[],
    pending: [] as { resolve: () => void; reject: (error: unknown) => void }[],
    aborted: [] as unknown[],
    closed: 0,
    enqueued: 0,
  };
  const stream = new WritableStream<number>(
    {
      write: (item) =>
        new Promise<void>((resolve, reject) => {
          state.written.push(item);
          state.pending.push({ resolve, reject });
        }),
      close: () => {
        state.closed++;
      },
      abort: (reason) => {
        state.aborted.push(reason);
      },
    },
    {
      highWaterMark,
      // Called once for every writer.write(): counts what writeTo hands over.
      size: () => {
        state.enqueued++;
        return 1;
      },
    },
  );
  const finishOne = () => state.pending.shift()?.resolve();
  return { stream, state, finishOne };
}

describe('writeTo a WHATWG WritableStream', () => {
  it('hands over items only while the writer has room, and completes after close', async () => {
    const { stream, state, finishOne } = slowWritableStream(2);
    const { events, observer } = record();
    range(0, 6).pipe(writeTo(stream)).subscribe(observer);
    let finished = 0;
    while (!events.completed) {
      await settle();
      expect(state.enqueued - finished).toBeLessThanOrEqual(2);
      if (state.pending.length > 0) finished++;
      finishOne();
      await settle();
    }
    expect(state.enqueued).toBe(6);
    expect(state.written).toEqual(indexes(6));
    expect(state.closed).toBe(1);
    expect(stream.locked).toBe(false);
  });

  it('errors the output when a write fails', async () => {
    const { stream, state } = slowWritableStream(1);
    const { events, observer } = record();
    of(1, 2).pipe(writeTo(stream)).subscribe(observer);
    await settle();
    state.pending.shift()?.reject(new Error('quota exceeded'));
    await settle();
    expect(events.errors).toEqual([new Error('quota exceeded')]);
  });

  it('aborts the writer once when unsubscribed, and releases the lock', async () => {
    const { stream, state } = slowWritableStream(1);
    const subscription = NEVER.pipe(writeTo(stream)).subscribe();
    subscription.unsubscribe();
    subscription.unsubscribe();
    await settle();
    expect(state.aborted).toEqual([undefined]);
    expect(stream.locked).toBe(false);
  });

  it('aborts the writer with the error of the source', async () => {
    const { stream, state } = slowWritableStream(1);
    const { events, observer } = record();
    throwError(() => new Error('bad input'))
      .pipe(writeTo(stream))
      .subscribe(observer);
    await settle();
    expect(events.errors).toEqual([new Error('bad input')]);
    expect(state.aborted).toEqual([new Error('bad input')]);
  });

  it('errors the output when the stream is already locked', () => {
    const { stream } = slowWritableStream(1);
    stream.getWriter();
    const { events, observer } = record();
    of(1).pipe(writeTo(stream)).subscribe(observer);
    expect(events.errors[0]).toBeInstanceOf(TypeError);
  });
});

describe('writeTo arguments', () => {
  it('refuses something that is not a writable at once, naming it', () => {
    expect(() => writeTo({} as unknown as WritableStream<number>)).toThrow(TypeError);
    expect(() => writeTo(null as unknown as WritableStream<number>)).toThrow(/writeTo\(writable\).*null/);
  });

  it('refuses bad buffer options at once', () => {
    const { writable } = slowWritable(1);
    expect(() => writeTo(writable, { bufferSize: 0 })).toThrow(RangeError);
    expect(() => writeTo(writable, { strategy: 'sometimes' as 'drop' })).toThrow(RangeError);
  });
});
