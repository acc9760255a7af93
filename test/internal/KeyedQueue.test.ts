import { describe, expect, it } from 'vitest';
import { KeyedQueue } from '../../src/internal/KeyedQueue.js';

/** Pushes `item` as the gate does: placeLatest first, then removeReplaced and/or push. */
function offer(queue: KeyedQueue<string>, item: string, at: number): string | undefined {
  const place = queue.placeLatest(item);
  if (place === 'full') return 'full';
  const replaced = place === 'replaces' ? queue.removeReplaced() : undefined;
  queue.push(item, at);
  return replaced;
}

describe('KeyedQueue', () => {
  const byFirstLetter = (item: string) => item[0];

  it('replaces the oldest item of a key at its quota, keeping the key in its place', () => {
    const queue = new KeyedQueue<string>(byFirstLetter, 1, 10);
    expect(offer(queue, 'a1', 0)).toBeUndefined();
    expect(offer(queue, 'b1', 1)).toBeUndefined();
    expect(offer(queue, 'a2', 2)).toBe('a1');
    expect(queue.size).toBe(2);
    expect(queue.peek()).toBe('a2');
    expect(queue.peekEnqueuedAt()).toBe(2);
    expect([queue.shift(), queue.shift()]).toEqual(['a2', 'b1']);
    expect(queue.keys).toBe(0);
  });

  it('says full for one more key than maxKeys, and still takes items of waiting keys', () => {
    const queue = new KeyedQueue<string>(byFirstLetter, 2, 2);
    offer(queue, 'a1', 0);
    offer(queue, 'b1', 0);
    expect(queue.placeLatest('c1')).toBe('full');
    expect(queue.placeLatest('a2')).toBe('joins');
  });

  it('finds the oldest item across keys, and removes expired items in arrival order', () => {
    const queue = new KeyedQueue<string>(byFirstLetter, 1, 10);
    offer(queue, 'a1', 1);
    offer(queue, 'b1', 2);
    offer(queue, 'c1', 3);
    offer(queue, 'a2', 4);
    // a keeps the head (it started waiting first), but its item is now the newest; b1 is the oldest.
    expect(queue.peek()).toBe('a2');
    expect(queue.oldestEnqueuedAt()).toBe(2);
    const expired: string[] = [];
    queue.removeExpired(3, (item) => expired.push(item));
    expect(expired).toEqual(['b1', 'c1']);
    expect(queue.removeOldest()).toBe('a2');
    expect([queue.size, queue.keys]).toEqual([0, 0]);
  });

  it('serves every waiting key once per round, whatever the arrival pattern', () => {
    const queue = new KeyedQueue<string>(byFirstLetter, 3, 10);
    for (const item of ['a1', 'a2', 'a3', 'b1', 'c1', 'c2']) offer(queue, item, 0);
    const served: string[] = [];
    while (queue.size > 0) served.push(queue.shift());
    expect(served).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
  });

  it('keeps memory bounded by the keys over a long run of many distinct keys', () => {
    const queue = new KeyedQueue<number>((n) => n, 1, 4);
    for (let n = 0; n < 10_000; n++) {
      if (queue.placeLatest(n) === 'full') queue.removeOldest();
      queue.push(n, n);
      if (n % 3 === 0) queue.shift();
      expect(queue.keys).toBeLessThanOrEqual(4);
    }
    expect(queue.size).toBeLessThanOrEqual(4);
  });
});
