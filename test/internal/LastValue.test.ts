import { EMPTY, NEVER, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { followResult } from '../../src/internal/followResult.js';
import { LastValue } from '../../src/internal/LastValue.js';

describe('LastValue', () => {
  it('resolves with the last value when the answer completes', () => {
    const outcomes: unknown[] = [];
    const last = new LastValue<number>(
      { resolve: (v) => outcomes.push(v), reject: (e) => outcomes.push(e) },
      'x',
    );
    followResult(of(1, 2, 3), 'x', 'refused', undefined, last);
    expect(outcomes).toEqual([3]);
  });

  it('rejects an answer that completes without a value with ERR_EMPTY_RESULT naming the call', () => {
    const outcomes: unknown[] = [];
    const last = new LastValue<number>(
      { resolve: (v) => outcomes.push(v), reject: (e) => outcomes.push(e) },
      'provider.do(req)',
    );
    followResult(EMPTY, 'provider.do(req)', 'refused', undefined, last);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ code: 'ERR_EMPTY_RESULT' });
    expect(String(outcomes[0])).toContain('provider.do(req) completed without a value');
  });

  it('never settles an answer that never ends', () => {
    const outcomes: unknown[] = [];
    const last = new LastValue<number>(
      { resolve: (v) => outcomes.push(v), reject: (e) => outcomes.push(e) },
      'x',
    );
    const work = followResult(NEVER, 'x', 'refused', undefined, last);
    expect(outcomes).toEqual([]);
    work?.unsubscribe();
  });
});
