import { describe, expect, it } from 'vitest';
import { LastValue } from '../../src/internal/LastValue.js';

function lastValueOf(what: string) {
  const outcomes: unknown[] = [];
  const last = new LastValue<number>(
    { resolve: (v) => outcomes.push(v), reject: (e) => outcomes.push(e) },
    what,
  );
  return { outcomes, last };
}

describe('LastValue', () => {
  it('resolves with the last value when the answer completes', () => {
    const { outcomes, last } = lastValueOf('x');
    last.next(1);
    last.next(2);
    expect(outcomes).toEqual([]);
    last.complete();
    expect(outcomes).toEqual([2]);
  });

  it('rejects an answer that completes without a value with ERR_EMPTY_RESULT naming the call', () => {
    const { outcomes, last } = lastValueOf('provider.do(req)');
    last.complete();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ code: 'ERR_EMPTY_RESULT' });
    expect(String(outcomes[0])).toContain('provider.do(req) completed without a value');
  });

  it('rejects with the error of an answer that fails, whatever came before', () => {
    const { outcomes, last } = lastValueOf('x');
    last.next(1);
    const failure = new Error('failed');
    last.error(failure);
    expect(outcomes).toEqual([failure]);
  });
});
