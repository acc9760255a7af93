import { Writable } from 'node:stream';
import { filter, lastValueFrom, range } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, pullFrom, writeTo } from '../../src/index.js';
import { countingNaturals } from './countingNaturals.js';

/** An object-mode writable that takes `delayMs` per item and remembers what it got. */
function slowWritable(delayMs: number, highWaterMark = 4) {
  const written: unknown[] = [];
  const writable = new Writable({
    objectMode: true,
    highWaterMark,
    write: (chunk, _encoding, done) => {
      written.push(chunk);
      setTimeout(done, delayMs);
    },
  });
  return { writable, written };
}

describe('writeTo, factory form', () => {
  it('reads a pullFrom producer only as the writable takes items, through a filter, and completes on finish', async () => {
    const { naturals, counts } = countingNaturals();
    const { writable, written } = slowWritable(1);
    let readAtEnd = 0;
    const done = lastValueFrom(
      writeTo(writable, (credits) => pullFrom(naturals(), credits).pipe(filter((n) => n % 3 !== 0))),
      { defaultValue: 'complete' },
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    readAtEnd = counts.reads;
    const kept = written.length;
    writable.destroy();
    await done.catch(() => undefined);
    expect(kept).toBeGreaterThan(5);
    // Two of every three items are kept: the reads beyond those behind the written items are bounded by
    // the writable's room (highWaterMark 4) and the bridge's buffer (16), never growing with time.
    expect(readAtEnd - Math.ceil((kept * 3) / 2)).toBeLessThanOrEqual(30);
  });

  it('writes every item of a finite producer and completes', async () => {
    const { writable, written } = slowWritable(0);
    await lastValueFrom(
      writeTo(writable, (credits) => pullFrom(['a', 'b', 'c'], credits)),
      { defaultValue: undefined },
    );
    expect(written).toEqual(['a', 'b', 'c']);
  });
});

describe('writeTo given a plain Observable that outruns the writable', () => {
  it('fails at once with a BufferOverflowError that names the factory form', async () => {
    const { writable } = slowWritable(1);
    const started = performance.now();
    const failure = await lastValueFrom(range(0, 5e6).pipe(writeTo(writable)), {
      defaultValue: undefined,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(BufferOverflowError);
    expect((failure as Error).message).toContain(
      'Pass a factory instead, writeTo(writable, (credits) => pullFrom(producer, credits))',
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
