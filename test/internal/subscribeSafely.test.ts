import { config, Observable, of, range, Subscription, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { subscribeSafely } from '../../src/internal/subscribeSafely.js';
import { requestCredits } from '../../src/operators/requestCredits.js';

describe('subscribeSafely', () => {
  it('stops an infinite synchronous source as soon as its owner is unsubscribed', () => {
    let emitted = 0;
    const infinite = new Observable<number>((subscriber) => {
      for (let i = 0; !subscriber.closed; i++) {
        emitted++;
        subscriber.next(i);
      }
    });
    const firstFive = new Observable<number>((subscriber) => {
      subscribeSafely(infinite, subscriber, {
        next: (value) => subscriber.next(value),
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    }).pipe(take(5), toArray());
    let result: number[] = [];
    firstFive.subscribe((values) => {
      result = values;
    });
    expect(result).toEqual([0, 1, 2, 3, 4]);
    expect(emitted).toBe(5);
  });

  it('passes complete and error on, and leaves its owner when the source ends', () => {
    const owner = new Subscription();
    const events: string[] = [];
    const upstream = subscribeSafely(range(0, 2), owner, {
      next: (value) => events.push(`next ${value}`),
      error: () => events.push('error'),
      complete: () => events.push('complete'),
    });
    expect(events).toEqual(['next 0', 'next 1', 'complete']);
    expect(upstream.closed).toBe(true);
    expect(owner.closed).toBe(false);

    subscribeSafely(new Observable((subscriber) => subscriber.error(new Error('boom'))), owner, {
      next: () => undefined,
      error: (error) => events.push(String(error)),
      complete: () => undefined,
    });
    expect(events.at(-1)).toBe('Error: boom');
  });

  it('unsubscribes the source when the owner is unsubscribed', () => {
    const owner = new Subscription();
    let tornDown = false;
    subscribeSafely(
      new Observable(() => () => {
        tornDown = true;
      }),
      owner,
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    owner.unsubscribe();
    expect(tornDown).toBe(true);
  });

  it('hands a value a misbehaving source emits after it completed to RxJS onStoppedNotification, not to the handlers', async () => {
    const stopped: unknown[] = [];
    config.onStoppedNotification = (notification) => stopped.push(notification);
    try {
      const values: number[] = [];
      const late = new Observable<number>((subscriber) => {
        subscriber.next(1);
        subscriber.complete();
        subscriber.next(2);
      });
      subscribeSafely(late, new Subscription(), {
        next: (value) => values.push(value),
        error: () => undefined,
        complete: () => undefined,
      });
      const throughGate: number[] = [];
      late.pipe(requestCredits(of(Number.POSITIVE_INFINITY))).subscribe((value) => throughGate.push(value));
      expect(values).toEqual([1]);
      expect(throughGate).toEqual([1]);
      // RxJS reports a stopped notification on a timeout of its own.
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(stopped).toEqual([
        { kind: 'N', value: 2, error: undefined },
        { kind: 'N', value: 2, error: undefined },
      ]);
    } finally {
      config.onStoppedNotification = null;
    }
  });
});
