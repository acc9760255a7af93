import type * as fc from 'fast-check';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type DropReason, pullFrom, toAsyncIterable } from '../../src/index.js';
import {
  type AsyncPipelineBuilder,
  checkFlowControlAsync,
  FlowControlViolationError,
  type Invariant,
  type InvariantName,
  invariants,
} from '../../src/testing/index.js';

// Issue 8, requirement 3: at least 1,000 runs per setup in CI; fewer locally to stay fast.
const numRuns = process.env.CI ? 1000 : 200;

/*
 * How the kit's contract maps onto pullFrom.
 *
 * The kit hands `build` a hot source Observable and the consumer's credits; pullFrom reads a pull-based
 * source under credits. The adaptation: the kit's source becomes an AsyncIterable that queues what the
 * source emits until it is read, and pullFrom reads it under the kit's credits. Received = what the
 * source emitted into that queue; delivered = what pullFrom emitted. Two such iterables are checked:
 *
 * - `pullable(source)`, written here: a queue whose reads (items, the end, the source's error after the
 *   items before it) each settle when fast-check's scheduler (`context.promises`) picks them, so reads,
 *   grants and the scenario's steps interleave in every order. When pullFrom lets go of it (`return()`,
 *   on unsubscribe), it unsubscribes the source and reports every item it still holds as
 *   `'unsubscribed'`, including one handed to a read that pullFrom will now ignore.
 * - `toAsyncIterable(source, { onDrop })`, the library's own bridge: it subscribes the source at the first
 *   read and holds early items in its buffer, reporting them through `onDrop` when released.
 *
 * A synchronous Iterable is not used: its `next()` must answer at once, and with the source still open
 * and nothing queued it could only say "done", ending the output early, which no pull source does.
 *
 * What is checked, and why:
 * - `neverExceedsCredit`: pullFrom reads (and so delivers) only against credit.
 * - `conservesItems`, `releasesOnUnsubscribe`: nothing read is lost; on unsubscribe pullFrom calls
 *   `return()` exactly once, so the source and the credit signal are released and what the iterable
 *   held is reported.
 * - `preservesOrder`: both iterables are FIFO, and pullFrom delivers in read order.
 * - `nothingAfterTerminal`, `noStallWithCredit`: as for any operator (held items are the queue's).
 * - `drainsBeforeComplete` is LEFT OUT, on purpose: its second half ("complete as soon as the source has
 *   completed and nothing is held") cannot hold for a pull source read only against credit. pullFrom
 *   learns that the source ended only by reading, and it reads only while credit is outstanding (its
 *   contract: nothing is read, or buffered, ahead of credit), so with no credit left the output stays
 *   open until the next grant. The last test of this file shows the kit catching exactly that. In its
 *   place, `drainsBeforeCompleteOnDemand` below checks the first half unchanged and the second half
 *   whenever credit is outstanding.
 */

const name = 'drainsBeforeCompleteOnDemand';

/** The kit's `drainsBeforeComplete`, its liveness half restricted to moments with outstanding credit. */
const drainsBeforeCompleteOnDemand: Invariant = {
  name,
  description:
    'The output completes only when nothing is held, and as soon as the source has completed, nothing is held and credit is outstanding.',
  rule: '§1.5',
  check(trace) {
    const completed = trace.events.findIndex((event) => event.kind === 'completed');
    if (completed !== -1 && trace.stateAfter(completed).held > 0) {
      return {
        invariant: name,
        message: 'the output completed while items were held.',
        eventIndex: completed,
      };
    }
    for (const moment of trace.quietMoments) {
      const { source, output, held, outstanding } = trace.stateAfter(moment);
      if (source === 'completed' && output === 'open' && held === 0 && outstanding > 0) {
        return {
          invariant: name,
          message: `the source completed, nothing is held and ${outstanding} credit is outstanding, yet the output has not completed.`,
          eventIndex: moment === 0 ? undefined : moment - 1,
        };
      }
    }
    return undefined;
  },
};

/**
 * The kit's hot source as a pull source: the iterator subscribes to `source` when opened and queues its
 * items; each read settles when the scheduler picks it (see the comment at the top).
 */
function pullable<T>(
  source: Observable<T>,
  onDrop: (item: T, reason: DropReason) => void,
  promises: fc.Scheduler,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const queue: { readonly item: T }[] = [];
      let head = 0;
      let end: { readonly error: unknown } | 'completed' | undefined;
      let waiting: ((read: Promise<IteratorResult<T>>) => void) | undefined;
      /** The item handed to a read that has not settled yet. */
      let reading: { readonly item: T } | undefined;

      const readItem = (entry: { readonly item: T }): Promise<IteratorResult<T>> => {
        reading = entry;
        return promises.schedule(Promise.resolve(), `read ${String(entry.item)}`).then(() => {
          if (reading === entry) reading = undefined;
          return { done: false, value: entry.item };
        });
      };
      const readEnd = (): Promise<IteratorResult<T>> =>
        promises.schedule(Promise.resolve(), 'read the end').then(() => {
          if (end !== undefined && end !== 'completed') throw end.error;
          return { done: true, value: undefined };
        });
      const answer = (read: () => Promise<IteratorResult<T>>): void => {
        const resolve = waiting;
        waiting = undefined;
        resolve?.(read());
      };
      const subscription = source.subscribe({
        next: (item) => {
          if (waiting === undefined) queue.push({ item });
          else answer(() => readItem({ item }));
        },
        error: (error: unknown) => {
          end = { error };
          if (waiting !== undefined) answer(readEnd);
        },
        complete: () => {
          end = 'completed';
          if (waiting !== undefined) answer(readEnd);
        },
      });
      return {
        next: () => {
          const entry = queue[head];
          if (entry !== undefined) {
            head++;
            return readItem(entry);
          }
          if (end !== undefined) return readEnd();
          return new Promise<IteratorResult<T>>((resolve) => {
            waiting = resolve;
          });
        },
        return: () => {
          subscription.unsubscribe();
          if (reading !== undefined) onDrop(reading.item, 'unsubscribed');
          reading = undefined;
          for (const { item } of queue.slice(head)) onDrop(item, 'unsubscribed');
          head = queue.length;
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

const fromPullable: AsyncPipelineBuilder<number, number> = (source, credits, { onDrop, promises }) =>
  pullFrom(pullable(source, onDrop, promises), credits);

const fromToAsyncIterable: AsyncPipelineBuilder<number, number> = (source, credits, { onDrop }) =>
  pullFrom(toAsyncIterable(source, { onDrop }), credits);

const checked: (InvariantName | Invariant)[] = [
  ...(Object.keys(invariants) as InvariantName[]).filter((invariant) => invariant !== 'drainsBeforeComplete'),
  drainsBeforeCompleteOnDemand,
];

describe.each<[string, AsyncPipelineBuilder<number, number>]>([
  ['an AsyncIterable over the source, each read settled by the scheduler', fromPullable],
  ['toAsyncIterable(source)', fromToAsyncIterable],
])('pullFrom reading %s', (_name, build) => {
  it(`keeps the flow-control contract over ${numRuns} random scenarios`, async () => {
    await expect(checkFlowControlAsync(build, { numRuns, invariants: checked })).resolves.toBeUndefined();
  });
});

describe('the pullFrom contract setup', () => {
  it("breaks the kit's drainsBeforeComplete only by not completing while no credit is outstanding", async () => {
    const failure: unknown = await checkFlowControlAsync(fromPullable, {
      numRuns,
      invariants: ['drainsBeforeComplete'],
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(FlowControlViolationError);
    const { violations, trace } = failure as FlowControlViolationError;
    expect(violations.map((violation) => violation.message)).toEqual([
      'the source completed and nothing is held, yet the output has not completed.',
    ]);
    expect(trace.finalState).toMatchObject({ source: 'completed', output: 'open', held: 0, outstanding: 0 });
  });
});
