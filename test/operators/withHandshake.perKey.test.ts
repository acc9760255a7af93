import fc from 'fast-check';
import { from, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type DropReason, type Service, withHandshake } from '../../src/index.js';

interface Job {
  readonly account: string;
  readonly id: number;
}

/** A service always ready whose calls finish when the test says: each call's result is a Subject. */
function manualService() {
  const calls: { job: Job; result: Subject<string> }[] = [];
  const service: Service<Job, string> = {
    isReady: () => true,
    do: (job) => {
      const result = new Subject<string>();
      calls.push({ job, result });
      return result;
    },
  };
  const finish = (index: number) => {
    const call = calls[index];
    call?.result.next(`${call.job.account}${call.job.id}`);
    call?.result.complete();
  };
  return { service, calls, finish };
}

const jobs = (...names: string[]): Job[] =>
  names.map((name) => ({ account: name[0] as string, id: Number(name.slice(1)) }));

describe("withHandshake, ordered: 'per-key'", () => {
  it('keeps results in order within a key and lets other keys pass a slow call', () => {
    const { service, finish } = manualService();
    const results: string[] = [];
    from(jobs('a1', 'b1', 'a2', 'b2'))
      .pipe(withHandshake(service, { ordered: 'per-key', key: (job) => job.account }))
      .subscribe((result) => results.push(result));
    finish(2); // a2 waits for a1
    finish(1); // b1 is first of its key: out at once
    expect(results).toEqual(['b1']);
    finish(0); // a1, then the a2 it held back
    expect(results).toEqual(['b1', 'a1', 'a2']);
    finish(3);
    expect(results).toEqual(['b1', 'a1', 'a2', 'b2']);
  });

  it('emits exactly what a per-key reorder of the completion order gives, for any keys and completion order (model)', () => {
    const setup = fc
      .array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 12 })
      .chain((accounts) =>
        fc.tuple(
          fc.constant(accounts),
          fc.shuffledSubarray([...accounts.keys()], {
            minLength: accounts.length,
            maxLength: accounts.length,
          }),
        ),
      );
    fc.assert(
      fc.property(setup, ([accounts, completionOrder]) => {
        const { service, finish } = manualService();
        const results: string[] = [];
        const input = accounts.map((account, id) => ({ account, id }));
        let completed = false;
        from(input)
          .pipe(withHandshake(service, { ordered: 'per-key', key: (job) => job.account }))
          .subscribe({ next: (result) => results.push(result), complete: () => (completed = true) });
        // The model: a call's result goes out once every earlier call of its key is done.
        const done = new Set<number>();
        const emitted = new Set<number>();
        const expected: string[] = [];
        for (const index of completionOrder) {
          finish(index);
          done.add(index);
          for (const job of input) {
            if (emitted.has(job.id) || !done.has(job.id)) continue;
            const earlier = input.filter((other) => other.account === job.account && other.id < job.id);
            if (earlier.every((other) => emitted.has(other.id))) {
              emitted.add(job.id);
              expected.push(`${job.account}${job.id}`);
            }
          }
          expect(results).toEqual(expected);
        }
        expect(completed).toBe(true);
      }),
    );
  });

  it('reports the items whose results were held back for their key when the output ends, as ordered: true does', () => {
    const { service, calls, finish } = manualService();
    const drops: [Job, DropReason][] = [];
    const results: string[] = [];
    const subscription = from(jobs('a1', 'a2', 'b1', 'b2'))
      .pipe(
        withHandshake(service, {
          ordered: 'per-key',
          key: (job) => job.account,
          onDrop: (job, reason) => drops.push([job, reason]),
        }),
      )
      .subscribe((result) => results.push(result));
    finish(1); // a2 held back by a1
    finish(3); // b2 held back by b1
    expect(results).toEqual([]);
    subscription.unsubscribe();
    expect(calls.map((call) => call.result.observed)).toEqual([false, false, false, false]);
    expect(drops.map(([job, reason]) => [`${job.account}${job.id}`, reason])).toEqual([
      ['a2', 'unsubscribed'],
      ['b2', 'unsubscribed'],
    ]);
  });

  it('fails the output when key throws, like a throwing do()', () => {
    const { service } = manualService();
    const errors: unknown[] = [];
    from(jobs('a1'))
      .pipe(
        withHandshake(service, {
          ordered: 'per-key',
          key: () => {
            throw new Error('no account');
          },
        }),
      )
      .subscribe({ error: (error: unknown) => errors.push(error) });
    expect(String(errors[0])).toMatch(/no account/);
  });

  it('refuses per-key order without a key, and a key that nothing would read, naming them', () => {
    const { service } = manualService();
    expect(() => withHandshake(service, { ordered: 'per-key' })).toThrow(
      /options.ordered 'per-key' needs options.key, a function from an item to its key; got undefined/,
    );
    expect(() => withHandshake(service, { key: (job) => job.account })).toThrow(
      /options.key applies only to ordered 'per-key' or strategy 'latest'; with neither it would be ignored/,
    );
    expect(() => withHandshake(service, { ordered: 'by-key' as never })).toThrow(
      /options.ordered must be a boolean, got 'by-key' \(string\); or 'per-key'/,
    );
    // With strategy 'latest', key keeps the latest waiting item per key; order per key can use it too.
    expect(() =>
      withHandshake(service, { strategy: 'latest', key: (job) => job.account, ordered: 'per-key' }),
    ).not.toThrow();
  });
});
