import fc from 'fast-check';
import {
  bufferCount,
  bufferTime,
  filter,
  from,
  map,
  NEVER,
  type Observable,
  of,
  Subject,
  take,
  throwError,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import { mergeMapWithCredits, pullFrom } from '../../src/index.js';
import { countingNaturals } from '../sources/countingNaturals.js';

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Segments the test ends by hand: `started` in order, each with its subject. */
function manualSegments<T>() {
  const started: { item: T; done: Subject<string> }[] = [];
  const project = (item: T) => {
    const done = new Subject<string>();
    started.push({ item, done });
    return done;
  };
  return { started, project };
}

describe('mergeMapWithCredits', () => {
  it('runs at most concurrency segments and frees a slot when a segment completes, however many results it had', () => {
    const { started, project } = manualSegments<number>();
    const stage = mergeMapWithCredits(project, { concurrency: 2 });
    const results: string[] = [];
    pullFrom([1, 2, 3, 4], stage)
      .pipe(stage)
      .subscribe((value) => results.push(value));
    expect(started.map((s) => s.item)).toEqual([1, 2]);
    expect(stage.active).toBe(2);
    expect(stage.isReady()).toBe(false);
    started[0]?.done.next('1a');
    started[0]?.done.next('1b');
    expect(started).toHaveLength(2); // results are not the end of the segment
    started[0]?.done.complete();
    expect(started.map((s) => s.item)).toEqual([1, 2, 3]);
    started[1]?.done.complete(); // no result at all: the slot frees just the same
    expect(started.map((s) => s.item)).toEqual([1, 2, 3, 4]);
    expect(results).toEqual(['1a', '1b']);
  });

  it('reads past items a synchronous filter drops, at no cost to the slots', () => {
    const { started, project } = manualSegments<number>();
    const stage = mergeMapWithCredits(project, { concurrency: 3 });
    pullFrom([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], stage)
      .pipe(
        filter((n) => n % 3 === 0),
        stage,
      )
      .subscribe();
    expect(started.map((s) => s.item)).toEqual([0, 3, 6]);
  });

  it('closes the loop around a step that drops every item: the output completes', async () => {
    const stage = mergeMapWithCredits((n: number) => of(n), { concurrency: 4 });
    const length = 5_000; // more than pullFrom reads in a row without a sign from the stage
    const outcome = await new Promise<string>((resolve) => {
      pullFrom(
        Array.from({ length }, (_, i) => i),
        stage,
      )
        .pipe(
          filter(() => false),
          stage,
        )
        .subscribe({ complete: () => resolve('complete'), error: () => resolve('error') });
    });
    expect(outcome).toBe('complete');
  });

  it('takes the whole of a one-to-many segment as one item: each of 3 results, and the loop never leaks', async () => {
    const stage = mergeMapWithCredits(
      async function* (n: number) {
        yield n;
        yield n;
        yield n;
      },
      { concurrency: 2 },
    );
    const results: number[] = [];
    let peak = 0;
    await new Promise<void>((resolve) =>
      pullFrom(
        Array.from({ length: 100 }, (_, i) => i),
        stage,
      )
        .pipe(stage)
        .subscribe({
          next: (n) => {
            results.push(n);
            peak = Math.max(peak, stage.active);
          },
          complete: resolve,
        }),
    );
    expect(results).toHaveLength(300);
    expect(peak).toBe(2);
  });

  it('keeps every slot busy for a batching step: each batch of 100 is read only when a slot frees', async () => {
    const inFlightAtStart: number[] = [];
    const stage = mergeMapWithCredits(
      async (batch: number[]) => {
        inFlightAtStart.push(stage.active);
        await settle();
        return batch.length;
      },
      { concurrency: 4 },
    );
    let inserted = 0;
    await new Promise<void>((resolve) =>
      pullFrom(
        Array.from({ length: 10_001 }, (_, i) => i),
        stage,
      )
        .pipe(
          filter((n) => n !== 0),
          bufferCount(100),
          stage,
        )
        .subscribe({ next: (count) => (inserted += count), complete: resolve }),
    );
    expect(inserted).toBe(10_000);
    expect(inFlightAtStart.slice(3)).toEqual(Array(97).fill(4));
  });

  it('holds what arrives while every slot is busy in the shared bounded buffer, and reports what it drops', () => {
    const { started, project } = manualSegments<number>();
    const dropped: [number, string][] = [];
    const stage = mergeMapWithCredits(project, {
      concurrency: 1,
      bufferSize: 2,
      overflow: 'drop-incoming',
      onDrop: (item, reason) => dropped.push([item, reason]),
    });
    from([1, 2, 3, 4]).pipe(stage).subscribe();
    expect(started.map((s) => s.item)).toEqual([1]);
    expect(dropped).toEqual([[4, 'overflow']]);
    started[0]?.done.complete();
    expect(started.map((s) => s.item)).toEqual([1, 2]);
  });

  it('errors the output like mergeMap when a segment errors or project throws, and frees the slot', () => {
    const failing = mergeMapWithCredits(() => throwError(() => new Error('boom')));
    const errors: unknown[] = [];
    of(1)
      .pipe(failing)
      .subscribe({ error: (error) => errors.push(error) });
    expect(errors).toEqual([new Error('boom')]);
    expect(failing.active).toBe(0);
    const throwing = mergeMapWithCredits((): Observable<number> => {
      throw new Error('thrown');
    });
    of(1)
      .pipe(throwing)
      .subscribe({ error: (error) => errors.push(error) });
    expect(errors[1]).toEqual(new Error('thrown'));
    expect(throwing.active).toBe(0);
  });

  it('refuses a project that returns no ObservableInput, naming it and the value', () => {
    const stage = mergeMapWithCredits(() => 42 as unknown as Observable<number>);
    const errors: unknown[] = [];
    of(1)
      .pipe(stage)
      .subscribe({ error: (error) => errors.push(error) });
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect(String(errors[0])).toMatch(/project must return an ObservableInput.*42/);
  });

  it('unsubscribing ends every running segment and frees its slot', () => {
    const { project } = manualSegments<number>();
    const stage = mergeMapWithCredits(project, { concurrency: 3 });
    const subscription = pullFrom([1, 2, 3, 4], stage).pipe(stage).subscribe();
    expect(stage.active).toBe(3);
    subscription.unsubscribe();
    expect(stage.active).toBe(0);
    expect(stage.isReady()).toBe(true);
  });

  it('works as a plain credit signal too: the room on subscription, then one per freed slot', () => {
    const { started, project } = manualSegments<number>();
    const stage = mergeMapWithCredits(project, { concurrency: 2 });
    const grants: number[] = [];
    stage.credits$.pipe(take(3)).subscribe((grant) => grants.push(grant));
    of(1, 2).pipe(stage).subscribe();
    started[1]?.done.complete();
    started[0]?.done.complete();
    expect(grants).toEqual([2, 1, 1]);
  });

  it('refuses bad arguments at once with a typed error naming them', () => {
    expect(() => mergeMapWithCredits('x' as never)).toThrow(TypeError);
    expect(() => mergeMapWithCredits(() => NEVER, { concurrency: 0 })).toThrow(
      /options.concurrency must be a positive safe integer, got 0/,
    );
    expect(() => mergeMapWithCredits(() => NEVER, { concurrency: '2' as never })).toThrow(TypeError);
    expect(() => mergeMapWithCredits(() => NEVER, { Concurrency: 2 } as never)).toThrow(
      /did you mean concurrency/,
    );
  });

  it('never runs more than concurrency segments, and runs every kept item exactly once, whatever the filter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.func(fc.boolean()),
        fc.scheduler(),
        async (items, concurrency, keep, scheduler) => {
          let peak = 0;
          const stage = mergeMapWithCredits(
            (n: number) => {
              peak = Math.max(peak, stage.active);
              return scheduler.schedule(Promise.resolve(n));
            },
            { concurrency },
          );
          const results: number[] = [];
          let completed = false;
          pullFrom(items, stage)
            .pipe(
              filter((n) => keep(n)),
              map((n) => n),
              stage,
            )
            .subscribe({ next: (n) => results.push(n), complete: () => (completed = true) });
          await scheduler.waitAll();
          expect(completed).toBe(true);
          expect(peak).toBeLessThanOrEqual(concurrency);
          expect([...results].sort((a, b) => a - b)).toEqual(
            items.filter((n) => keep(n)).sort((a, b) => a - b),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reads prefetch items ahead, which wait in its buffer and start the moment a slot frees', () => {
    const { started, project } = manualSegments<number>();
    const stage = mergeMapWithCredits(project, { concurrency: 2, prefetch: 1 });
    const { naturals, counts } = countingNaturals();
    pullFrom(naturals(), stage).pipe(stage).subscribe();
    expect(started.map((s) => s.item)).toEqual([0, 1]);
    expect(counts.reads).toBe(3); // 2 running, 1 waiting
    expect(stage.isReady()).toBe(false);
    started[0]?.done.complete();
    expect(started.map((s) => s.item)).toEqual([0, 1, 2]);
    expect(counts.reads).toBe(4);
    expect(() => mergeMapWithCredits(project, { prefetch: -1 })).toThrow(
      /options.prefetch must be a non-negative safe integer, got -1/,
    );
  });

  it('closes the loop around a time-and-count batch (bufferTime) from a slow source, the last batch included', async () => {
    async function* slowLines() {
      for (let i = 0; i < 250; i++) {
        if (i % 50 === 0) await settle(); // the source pauses now and then: time closes those batches
        yield i;
      }
    }
    let peak = 0;
    const stage = mergeMapWithCredits(
      async (batch: number[]) => {
        peak = Math.max(peak, stage.active);
        await settle();
        return batch;
      },
      { concurrency: 2 },
    );
    const inserted: number[] = [];
    await new Promise<void>((resolve) =>
      pullFrom(slowLines(), stage)
        .pipe(
          bufferTime(5, null, 20),
          filter((batch) => batch.length > 0),
          stage,
        )
        .subscribe({ next: (batch) => inserted.push(...batch), complete: resolve }),
    );
    expect(inserted.sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(peak).toBeLessThanOrEqual(2);
  });
});
