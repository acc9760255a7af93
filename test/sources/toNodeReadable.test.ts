import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { type Observable, of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { pullFrom } from '../../src/sources/pullFrom.js';
import { toNodeReadable } from '../../src/sources/toNodeReadable.js';
import { countingPipeline } from './countingNaturals.js';

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

function countingReadable(highWaterMark: number) {
  const { pipeline, grants, counts } = countingPipeline();
  return { stream: toNodeReadable(pipeline, { highWaterMark }), grants, counts };
}

describe('toNodeReadable', () => {
  it('is an object-mode Readable with the given highWaterMark, subscribed only by the first read', async () => {
    const { stream, counts } = countingReadable(5);
    expect(stream.readableObjectMode).toBe(true);
    expect(stream.readableHighWaterMark).toBe(5);
    await settle();
    expect(counts.reads).toBe(0);
    stream.destroy();
  });

  it('requests through _read only what its buffer has room for', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.nat(20), async (highWaterMark, toRead) => {
        const { stream, grants, counts } = countingReadable(highWaterMark);
        let consumed = 0;
        for await (const n of stream) {
          expect(n).toBe(consumed);
          expect(counts.reads).toBeLessThanOrEqual(consumed + highWaterMark + 1);
          if (consumed === toRead) break;
          consumed++;
          await settle();
        }
        expect(sum(grants)).toBeLessThanOrEqual(toRead + 1 + highWaterMark);
        expect(counts.reads).toBe(sum(grants));
        expect(counts.finallyRuns).toBe(1);
      }),
      { numRuns: 30 },
    );
  });

  it('unsubscribes the pipeline on destroy()', async () => {
    const { stream, counts } = countingReadable(2);
    stream.read();
    await settle();
    stream.destroy();
    await settle();
    expect(counts.finallyRuns).toBe(1);
  });

  it('ends when the pipeline completes, after every item, and works with stream.pipeline', async () => {
    const written: string[] = [];
    await pipeline(
      toNodeReadable((credits) => pullFrom(['a', 'b', 'c'], credits), { highWaterMark: 1 }),
      new Writable({
        objectMode: true,
        write: (item: string, _encoding, done) => {
          written.push(item);
          done();
        },
      }),
    );
    expect(written).toEqual(['a', 'b', 'c']);
  });

  it('is destroyed with an error of the pipeline, after the items before it', async () => {
    const source = new Subject<number>();
    const stream = toNodeReadable(source);
    const received: number[] = [];
    const loop = (async () => {
      for await (const n of stream) received.push(n as number);
    })();
    await settle();
    source.next(1);
    source.error(new Error('upstream broke'));
    await expect(loop).rejects.toThrow('upstream broke');
    expect(received).toEqual([1]);
  });

  it('refuses a null item with a TypeError rather than ending the stream early', async () => {
    const stream = toNodeReadable(of(1, null, 2));
    const received: unknown[] = [];
    await expect(
      (async () => {
        for await (const item of stream) received.push(item);
      })(),
    ).rejects.toThrow(/null/);
    expect(received).toEqual([1]);
  });

  it('refuses bad arguments at once, naming them', () => {
    expect(() => toNodeReadable(of(1), { highWaterMark: -2 })).toThrow(/options\.highWaterMark.*-2/);
    expect(() => toNodeReadable(5 as unknown as Observable<number>)).toThrow(/toNodeReadable\(source\).*5/);
  });
});
