import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/credits/internal/TokenBucket.js';

function bucket(perSecond: number, burst: number, initial: number, due: () => void = () => {}) {
  const scheduler = new VirtualTimeScheduler();
  const advance = (ms: number): void => {
    scheduler.maxFrames = scheduler.now() + ms;
    scheduler.flush();
    scheduler.frame = scheduler.maxFrames;
  };
  return { tokens: new TokenBucket({ perSecond, burst, initial, scheduler }, due), advance };
}

describe('TokenBucket', () => {
  it('grants the initial credit, then what accrues at perSecond by the clock', () => {
    const { tokens, advance } = bucket(10, 5, 2);
    expect(tokens.grantWhole()).toBe(2);
    advance(250);
    tokens.catchUp();
    expect(tokens.grantWhole()).toBe(2);
    expect(tokens.outstanding).toBe(4);
  });

  it('never holds more than burst, counting the credit granted and not yet spent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.constant(-1)), { maxLength: 30 }),
        (burst, steps) => {
          const { tokens, advance } = bucket(7, burst, burst);
          let granted = tokens.grantWhole();
          for (const step of steps) {
            if (step === -1) {
              if (tokens.outstanding > 0) tokens.spent(1);
            } else {
              advance(step);
              tokens.catchUp();
              granted += tokens.grantWhole();
            }
            expect(tokens.outstanding).toBeLessThanOrEqual(burst);
          }
          expect(granted).toBeGreaterThanOrEqual(tokens.outstanding);
        },
      ),
    );
  });

  it('earns nothing while paused, and restarts accrual from the resume', () => {
    const { tokens, advance } = bucket(1_000, 10, 0);
    tokens.pause();
    advance(5);
    expect(tokens.grantWhole()).toBe(0);
    tokens.resume();
    advance(3);
    tokens.catchUp();
    expect(tokens.grantWhole()).toBe(3);
  });

  it('wakes its owner once, when the next whole credit has accrued, and not while full', () => {
    const wakes: number[] = [];
    const { tokens, advance } = bucket(4, 1, 0, () => wakes.push(tokens.grantWhole()));
    tokens.wakeWhenDue();
    tokens.wakeWhenDue();
    advance(249);
    expect(wakes).toEqual([]);
    advance(1);
    expect(wakes).toEqual([1]);
    tokens.wakeWhenDue();
    advance(1_000);
    expect(wakes).toEqual([1]);
  });

  it('takes back the credit a consumer leaves unspent, for the next one', () => {
    const { tokens } = bucket(1, 3, 3);
    expect(tokens.grantWhole()).toBe(3);
    tokens.spent(1);
    tokens.refund();
    expect(tokens.outstanding).toBe(0);
    expect(tokens.grantWhole()).toBe(2);
  });
});
