import fc from 'fast-check';
import { type Observable, of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { pullFrom } from '../../src/sources/pullFrom.js';
import { toReadableStream } from '../../src/sources/toReadableStream.js';
import { countingPipeline } from './countingNaturals.js';

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** A stream over an endless counting generator, recording each grant its pipeline receives. */
function countingStream(highWaterMark: number) {
  const { pipeline, grants, counts } = countingPipeline();
  return { stream: toReadableStream(pipeline, { highWaterMark }), grants, counts };
}

describe('toReadableStream', () => {
  it('grants exactly what pull() asks for: the queue refilled to highWaterMark, never more', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.nat(20), async (highWaterMark, toRead) => {
        const { stream, grants, counts } = countingStream(highWaterMark);
        await settle();
        expect(grants).toEqual([highWaterMark]);
        const reader = stream.getReader();
        for (let n = 0; n < toRead; n++) {
          expect(await reader.read()).toEqual({ done: false, value: n });
          expect(counts.reads).toBeLessThanOrEqual(n + 1 + highWaterMark);
        }
        await settle();
        expect(sum(grants)).toBe(toRead + highWaterMark);
        expect(counts.reads).toBe(toRead + highWaterMark);
        await reader.cancel();
      }),
      { numRuns: 50 },
    );
  });

  it('unsubscribes the pipeline on cancel()', async () => {
    const { stream, counts } = countingStream(4);
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(counts.finallyRuns).toBe(1);
  });

  it('closes the stream when the pipeline completes, after every item', async () => {
    const stream = toReadableStream((credits) => pullFrom(['a', 'b', 'c'], credits), { highWaterMark: 2 });
    const received: string[] = [];
    for await (const item of stream as unknown as AsyncIterable<string>) received.push(item);
    expect(received).toEqual(['a', 'b', 'c']);
  });

  it('errors the stream with an error of the pipeline', async () => {
    const source = new Subject<number>();
    const reader = toReadableStream(source).getReader();
    source.next(1);
    expect(await reader.read()).toEqual({ done: false, value: 1 });
    source.error(new Error('upstream broke'));
    await expect(reader.read()).rejects.toThrow('upstream broke');
  });

  it('errors the stream only after the items queued before the error have been read', async () => {
    const source = new Subject<number>();
    const stream = toReadableStream(source, { highWaterMark: 4 });
    await settle();
    source.next(1);
    source.next(2);
    source.error(new Error('late failure'));
    const reader = stream.getReader();
    expect(await reader.read()).toEqual({ done: false, value: 1 });
    expect(await reader.read()).toEqual({ done: false, value: 2 });
    await expect(reader.read()).rejects.toThrow('late failure');
  });

  it('holds a plain Observable in the requestCredits buffer, delivering everything in order', async () => {
    const reader = toReadableStream(of(1, 2, 3, 4, 5), { highWaterMark: 1 }).getReader();
    const received: number[] = [];
    for (let result = await reader.read(); !result.done; result = await reader.read())
      received.push(result.value);
    expect(received).toEqual([1, 2, 3, 4, 5]);
  });

  it('carries null and undefined items', async () => {
    const reader = toReadableStream(of(null, undefined)).getReader();
    expect(await reader.read()).toEqual({ done: false, value: null });
    expect(await reader.read()).toEqual({ done: false, value: undefined });
    expect((await reader.read()).done).toBe(true);
  });

  it('refuses bad arguments at once, naming them', () => {
    expect(() => toReadableStream(of(1), { highWaterMark: 0 })).toThrow(/options\.highWaterMark.*0/);
    expect(() => toReadableStream('x' as unknown as Observable<string>)).toThrow(TypeError);
    expect(() => toReadableStream(of(1), { strategy: 'drop', bufferSize: 4 })).toThrow(TypeError);
  });
});
