import fc from 'fast-check';
import { EMPTY, Observable, of, Subscription, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { followResult } from '../../src/internal/followResult.js';

type Report =
  | ['next', unknown]
  | ['error', unknown]
  | ['complete']
  | ['resolve', unknown]
  | ['reject', unknown];

/** Follows `result`, recording what it reports; with `each`, an Observable's every value. */
function follow(
  result: unknown,
  plain: 'value' | 'refused',
  options: { owner?: Subscription; each?: boolean } = {},
) {
  const reports: Report[] = [];
  followResult(
    result,
    'service.do(req)',
    plain,
    options.owner,
    {
      resolve: (value) => reports.push(['resolve', value]),
      reject: (error) => reports.push(['reject', error]),
    },
    options.each
      ? {
          next: (value) => reports.push(['next', value]),
          error: (error) => reports.push(['error', error]),
          complete: () => reports.push(['complete']),
        }
      : undefined,
  );
  return reports;
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('followResult', () => {
  it('reports every value of an Observable, then its end, to a caller that takes every value', () => {
    expect(follow(of(1, 2), 'refused', { each: true })).toEqual([['next', 1], ['next', 2], ['complete']]);
    const boom = new Error('boom');
    expect(
      follow(
        throwError(() => boom),
        'refused',
        { each: true },
      ),
    ).toEqual([['error', boom]]);
  });

  it("settles a one-result call with an Observable's last value, or with ERR_EMPTY_RESULT when it has none", () => {
    expect(follow(of(1, 2), 'refused')).toEqual([['resolve', 2]]);
    const [report] = follow(EMPTY, 'refused');
    expect(report?.[0]).toBe('reject');
    expect(report?.[1]).toMatchObject({ code: 'ERR_EMPTY_RESULT' });
  });

  it('settles with a Promise’s value or its error, later', async () => {
    const resolved = follow(Promise.resolve(7), 'refused', { each: true });
    const rejected = follow(Promise.reject(new Error('no')), 'refused');
    expect(resolved).toEqual([]);
    await flush();
    expect(resolved).toEqual([['resolve', 7]]);
    expect(rejected).toEqual([['reject', new Error('no')]]);
  });

  it('settles a thenable that calls both of its callbacks once', async () => {
    const twoFaced = {
      // biome-ignore lint/suspicious/noThenProperty: the test needs a thenable that misbehaves.
      then(resolve: (value: number) => void, reject: (error: unknown) => void) {
        resolve(1);
        reject(new Error('late'));
        resolve(2);
      },
    };
    const reports = follow(twoFaced, 'refused');
    await flush();
    expect(reports).toEqual([['resolve', 1]]);
  });

  it('takes a plain value as the answer, or refuses it with a TypeError naming the call and the value', () => {
    expect(follow(5, 'value')).toEqual([['resolve', 5]]);
    const [report] = follow(5, 'refused');
    expect(report?.[0]).toBe('reject');
    expect(report?.[1]).toBeInstanceOf(TypeError);
    expect(String(report?.[1])).toContain('service.do(req) must return a Promise or an Observable, got 5');
  });

  it('ignores a Promise that settles after its owner was closed', async () => {
    const owner = new Subscription();
    const reports = follow(Promise.resolve(1), 'refused', { owner });
    owner.unsubscribe();
    await flush();
    expect(reports).toEqual([]);
  });

  it('stops a synchronous Observable as soon as its owner is closed from inside', () => {
    const owner = new Subscription();
    let emitted = 0;
    const endless = new Observable<number>((subscriber) => {
      for (let i = 0; !subscriber.closed && i < 1000; i++) {
        emitted++;
        subscriber.next(i);
      }
    });
    followResult(
      endless,
      'service.do(req)',
      'refused',
      owner,
      { resolve: () => {}, reject: () => {} },
      {
        next: (value) => {
          if (value === 2) owner.unsubscribe();
        },
        error: () => {},
        complete: () => {},
      },
    );
    expect(emitted).toBe(3);
  });

  it('ends every kind of answer once, in one result or in one end after its values, and nothing after it', async () => {
    // Answers are built inside the property: a rejected Promise made while generating would go unhandled.
    const answer = fc.oneof(
      fc.array(fc.integer(), { maxLength: 4 }).map((values) => () => of(...values)),
      fc.constant(() => EMPTY),
      fc.constant(() => throwError(() => new Error('failed'))),
      fc.integer().map((value) => () => Promise.resolve(value)),
      fc.constant(() => Promise.reject(new Error('rejected'))),
      fc.anything().map((value) => () => value),
    );
    await fc.assert(
      fc.asyncProperty(
        answer,
        fc.constantFrom<'value' | 'refused'>('value', 'refused'),
        fc.boolean(),
        async (makeAnswer, plain, each) => {
          const reports = follow(makeAnswer(), plain, { each });
          await flush();
          const ends = reports.filter(([kind]) => kind !== 'next');
          expect(ends).toHaveLength(1);
          expect(reports.at(-1)).toBe(ends[0]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
