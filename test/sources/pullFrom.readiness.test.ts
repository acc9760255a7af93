import { concatMap, delay, filter, of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { pullFrom, TrackedService, withHandshake } from '../../src/index.js';
import { readAheadWindow } from '../../src/internal/ReadinessDemand.js';
import { countingNaturals } from './countingNaturals.js';

describe('pullFrom driven by a ReadinessProvider', () => {
  it('reads while isReady() holds and asks again at each wake-up', () => {
    let room = 2;
    const wakeUps = new Subject<number>();
    const read: string[] = [];
    pullFrom(['a', 'b', 'c', 'd'], { isReady: () => room > 0, credits$: wakeUps }).subscribe((letter) => {
      read.push(letter);
      room--;
    });
    expect(read).toEqual(['a', 'b']);
    room = 1;
    wakeUps.next(1);
    expect(read).toEqual(['a', 'b', 'c']);
  });

  it('keeps a TrackedService full through a filter that drops the header: 4 of 4 in flight, not 3', async () => {
    let peak = 0;
    const done: string[] = [];
    const service = new TrackedService({
      capacity: 4,
      handler: async (line: string) => {
        peak = Math.max(peak, service.active);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return line;
      },
    });
    const lines = ['id,name', ...Array.from({ length: 40 }, (_, i) => `${i},row`)];
    await new Promise<void>((resolve) =>
      pullFrom(lines, service)
        .pipe(
          filter((line) => line !== 'id,name'),
          withHandshake(service),
        )
        .subscribe({ next: (line) => done.push(line), complete: resolve }),
    );
    expect(done).toHaveLength(40);
    expect(peak).toBe(4);
  });

  it('reads at most the read-ahead window in a row while the consumer stays ready, then lets the event loop turn', async () => {
    const { naturals, counts } = countingNaturals();
    const subscription = pullFrom(naturals(), { isReady: () => true, credits$: new Subject<number>() })
      .pipe(filter(() => false))
      .subscribe();
    expect(counts.reads).toBe(readAheadWindow);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(counts.reads).toBeGreaterThan(readAheadWindow);
    subscription.unsubscribe();
  });

  it('bounds what an asynchronous step between the source and the consumer holds to the window per turn', async () => {
    const { naturals, counts } = countingNaturals();
    let room = 1;
    const wakeUps = new Subject<number>();
    const subscription = pullFrom(naturals(), { isReady: () => room > 0, credits$: wakeUps })
      .pipe(concatMap((n) => of(n).pipe(delay(1))))
      .subscribe(() => {
        room = 0;
      });
    expect(counts.reads).toBe(readAheadWindow);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(room).toBe(0);
    const after = counts.reads;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(counts.reads).toBe(after); // not ready: nothing more is read
    subscription.unsubscribe();
  });

  it('errors the output when isReady() throws', () => {
    const errors: unknown[] = [];
    pullFrom([1], {
      isReady: () => {
        throw new Error('broken');
      },
      credits$: new Subject<number>(),
    }).subscribe({ error: (error) => errors.push(error) });
    expect(errors).toEqual([new Error('broken')]);
  });

  it('asks again after each turn once the wake-ups have ended, so it never waits for a wake-up that cannot come', async () => {
    let room = 0;
    const wakeUps = new Subject<number>();
    const read: number[] = [];
    let completed = false;
    pullFrom([1, 2], { isReady: () => room > 0, credits$: wakeUps }).subscribe({
      next: (n) => read.push(n),
      complete: () => (completed = true),
    });
    wakeUps.complete();
    room = 5;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(read).toEqual([1, 2]);
    expect(completed).toBe(true);
  });

  it('refuses unknown options and a monitor that is not a FlowMonitor, naming them', () => {
    expect(() => pullFrom([1], new Subject<number>(), { monitr: 1 } as never)).toThrow(
      /options\.monitr is not an option here; the options are monitor/,
    );
    expect(() => pullFrom([1], new Subject<number>(), { monitor: {} as never })).toThrow(
      /options\.monitor must be a FlowMonitor/,
    );
  });
});
