import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type CircuitEvent,
  type CircuitPhase,
  callStarted,
  checkCircuitPhase,
  initialCircuitPhase,
  nextCircuitPhase,
  type Outcome,
  resetElapsed,
} from '../../src/service/CircuitPhase.js';

const outcomes = fc.constantFrom<Outcome>('success', 'failure', 'neutral');

/** A step: a call starts, the call started `back` periods ago settles, or the reset time passes. */
const steps = fc.oneof(
  fc.constant({ kind: 'start' as const }),
  fc.record({
    kind: fc.constant('settle' as const),
    back: fc.integer({ min: 0, max: 1 }),
    outcome: outcomes,
  }),
  fc.constant({ kind: 'reset' as const }),
);

describe('nextCircuitPhase', () => {
  it('turns only as the model says: open at the threshold-th consecutive failure, the first trial verdict decides, stale outcomes ignored', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(steps, { maxLength: 30 }),
        (failureThreshold, sequence) => {
          const scheduler = new VirtualTimeScheduler();
          const limits = { failureThreshold, resetTimeout: 100, scheduler };
          let phase: CircuitPhase = initialCircuitPhase;
          let failures = 0;
          let trials = 0;
          for (const step of sequence) {
            const event: CircuitEvent =
              step.kind === 'start'
                ? callStarted
                : step.kind === 'reset'
                  ? resetElapsed
                  : { kind: 'call-settled', epoch: phase.epoch - step.back, outcome: step.outcome };
            const before = phase;
            phase = nextCircuitPhase(before, event, limits);
            // A new period begins exactly when the state changes.
            expect(phase.epoch).toBe(phase.state === before.state ? before.epoch : before.epoch + 1);
            if (phase === before) continue;
            const current = step.kind === 'settle' && step.back === 0;
            if (before.state === 'closed') {
              expect(current).toBe(true);
              if (step.kind === 'settle' && step.outcome === 'failure') failures++;
              else failures = 0;
              expect(phase).toEqual(
                failures >= failureThreshold
                  ? { state: 'open', epoch: before.epoch + 1, until: 100 }
                  : { state: 'closed', epoch: before.epoch, failures },
              );
              if (phase.state === 'open') failures = 0;
            } else if (before.state === 'open') {
              expect(step.kind).toBe('reset');
              expect(phase).toEqual({ state: 'half-open', epoch: before.epoch + 1, trials: 0 });
              trials = 0;
            } else if (step.kind === 'start') {
              trials++;
              expect(phase).toEqual({ state: 'half-open', epoch: before.epoch, trials });
            } else {
              expect(current).toBe(true);
              const outcome = step.kind === 'settle' ? step.outcome : undefined;
              if (outcome === 'neutral') {
                trials--;
                expect(phase).toEqual({ state: 'half-open', epoch: before.epoch, trials });
              } else {
                expect(phase.state).toBe(outcome === 'success' ? 'closed' : 'open');
                failures = 0;
              }
            }
          }
        },
      ),
    );
  });

  it('ignores an outcome of an earlier period, and returns the same phase for what changes nothing', () => {
    const limits = { failureThreshold: 1, resetTimeout: 10, scheduler: new VirtualTimeScheduler() };
    const open = nextCircuitPhase(
      initialCircuitPhase,
      { kind: 'call-settled', epoch: 0, outcome: 'failure' },
      limits,
    );
    expect(open).toEqual({ state: 'open', epoch: 1, until: 10 });
    expect(nextCircuitPhase(open, { kind: 'call-settled', epoch: 0, outcome: 'success' }, limits)).toBe(open);
    expect(nextCircuitPhase(open, callStarted, limits)).toBe(open);
    expect(nextCircuitPhase(initialCircuitPhase, resetElapsed, limits)).toBe(initialCircuitPhase);
  });
});

describe('checkCircuitPhase', () => {
  it('passes the phases do() and the threshold allow, and names an impossible one', () => {
    expect(() => checkCircuitPhase({ state: 'closed', epoch: 0, failures: 2 }, 3, 1)).not.toThrow();
    expect(() => checkCircuitPhase({ state: 'half-open', epoch: 1, trials: 2 }, 3, 2)).not.toThrow();
    expect(() => checkCircuitPhase({ state: 'open', epoch: 1, until: 5 }, 3, 1)).not.toThrow();
    expect(() => checkCircuitPhase({ state: 'closed', epoch: 0, failures: 3 }, 3, 1)).toThrow(
      'rxjs-backpressure internal invariant broken: the circuit reached an impossible phase: {"state":"closed","epoch":0,"failures":3}',
    );
    expect(() => checkCircuitPhase({ state: 'half-open', epoch: 1, trials: 3 }, 3, 2)).toThrow(
      /impossible phase: \{"state":"half-open","epoch":1,"trials":3\}/,
    );
  });
});
