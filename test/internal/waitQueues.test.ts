import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriorityQueue } from '../../src/internal/PriorityQueue.js';
import { RingBuffer } from '../../src/internal/RingBuffer.js';

interface Waiting {
  item: number;
  priority: number;
  sequence: number;
  enqueuedAt: number;
}

/** Delivery order of the reference: a stable sort by priority, higher first. */
function byDelivery(entries: Waiting[], prioritised: boolean): Waiting[] {
  return [...entries].sort((a, b) => (prioritised ? b.priority - a.priority : 0) || a.sequence - b.sequence);
}

const operation = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('push' as const), priority: fc.integer({ min: 0, max: 3 }) }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'shift' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'removeOldest' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'removeLowest' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('expire' as const), age: fc.integer({ min: 0, max: 5 }) }),
  },
);

describe.each([
  ['RingBuffer', () => new RingBuffer<number>(), false],
  ['PriorityQueue', () => new PriorityQueue<number>(), true],
] as const)('%s', (_name, create, prioritised) => {
  it('behaves like a stable sort of what it holds, under any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const queue = create();
        let reference: Waiting[] = [];
        let sequence = 0;
        let now = 0;
        for (const op of operations) {
          now++;
          if (op.kind === 'push') {
            const entry = { item: sequence, priority: op.priority, sequence, enqueuedAt: now };
            sequence++;
            queue.push(entry.item, entry.enqueuedAt, entry.priority);
            reference.push(entry);
          } else if (reference.length === 0) {
            expect(queue.size).toBe(0);
            continue;
          } else if (op.kind === 'shift') {
            const expected = byDelivery(reference, prioritised)[0] as Waiting;
            expect(queue.peek()).toBe(expected.item);
            expect(queue.peekEnqueuedAt()).toBe(expected.enqueuedAt);
            expect(queue.shift()).toBe(expected.item);
            reference = reference.filter((entry) => entry !== expected);
          } else if (op.kind === 'removeOldest') {
            const oldest = reference.reduce((a, b) => (a.sequence < b.sequence ? a : b));
            expect(queue.oldestEnqueuedAt()).toBe(oldest.enqueuedAt);
            expect(queue.removeOldest()).toBe(oldest.item);
            reference = reference.filter((entry) => entry !== oldest);
          } else if (op.kind === 'removeLowest') {
            if (!(queue instanceof PriorityQueue)) continue;
            const lowest = byDelivery(reference, true).at(-1) as Waiting;
            expect(queue.lowestPriority()).toBe(lowest.priority);
            expect(queue.removeLowest()).toBe(lowest.item);
            reference = reference.filter((entry) => entry !== lowest);
          } else {
            const deadline = now - op.age;
            const removed: number[] = [];
            queue.removeExpired(deadline, (item) => removed.push(item));
            expect(removed).toEqual(
              reference.filter((entry) => entry.enqueuedAt <= deadline).map((entry) => entry.item),
            );
            reference = reference.filter((entry) => entry.enqueuedAt > deadline);
          }
          expect(queue.size).toBe(reference.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the WaitQueue contract of 'latest': a newcomer joins an empty queue and replaces the oldest waiting one", () => {
    const queue = create();
    expect(queue.placeLatest()).toBe('joins');
    queue.push(1, 0, 0);
    queue.push(2, 1, prioritised ? 5 : 0);
    expect(queue.placeLatest()).toBe('replaces');
    expect(queue.removeReplaced()).toBe(1);
    expect(queue.size).toBe(1);
  });
});
