import { filter, mergeMap, range } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, pullFrom, toAsyncIterable } from '../../src/index.js';
import { countingNaturals } from './countingNaturals.js';

const upTo = (length: number) => Array.from({ length }, (_, index) => index);

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('toAsyncIterable with steps between pullFrom and the loop', () => {
  it('reads on past the items a filter drops, and ends the loop', async () => {
    const items = await collect(
      toAsyncIterable((credits) => pullFrom(upTo(1_000), credits).pipe(filter((n) => n % 10 === 0))),
    );
    expect(items).toEqual(upTo(100).map((n) => n * 10));
  });

  it('ends the loop when a step drops every item', async () => {
    const items = await collect(
      toAsyncIterable((credits) => pullFrom(upTo(5_000), credits).pipe(filter(() => false))),
    );
    expect(items).toEqual([]);
  });

  it('takes every item of a step that makes three of each, without overflowing its buffer', async () => {
    const items = await collect(
      toAsyncIterable((credits) => pullFrom(upTo(1_000), credits).pipe(mergeMap((n) => [n, n, n]))),
    );
    expect(items).toHaveLength(3_000);
  });

  it('still reads the producer no further ahead of the loop than the high-water mark, through a filter', async () => {
    const { naturals, counts } = countingNaturals();
    const iterator = toAsyncIterable(
      (credits) => pullFrom(naturals(), credits).pipe(filter((n) => n % 2 === 0)),
      {
        highWaterMark: 4,
      },
    );
    for await (const n of iterator) {
      if (n === 20) break;
    }
    // 11 items taken (0, 2, ..., 20) of 21 read; the rest of the window is at most 4 kept items, 8 reads.
    expect(counts.reads).toBeLessThanOrEqual(21 + 8);
  });
});

describe('toAsyncIterable given a plain Observable that outruns the loop', () => {
  it('fails at once with a BufferOverflowError that names the factory form', async () => {
    const started = performance.now();
    const iterator = toAsyncIterable(range(0, 5e6));
    let taken = 0;
    const failure = await (async () => {
      try {
        for await (const _n of iterator) taken++;
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(BufferOverflowError);
    expect((failure as Error).message).toContain(
      'Pass a factory instead, toAsyncIterable((credits) => pullFrom(producer, credits))',
    );
    expect(taken).toBeLessThanOrEqual(1_025);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
