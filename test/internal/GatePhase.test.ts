import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  admissionEndedEvent,
  closeEvent,
  type GateEvent,
  type GatePhase,
  nextGatePhase,
  openPhase,
  sourceCompleteEvent,
} from '../../src/internal/GatePhase.js';

const events: fc.Arbitrary<GateEvent> = fc.oneof(
  fc.constant(admissionEndedEvent),
  fc.constant(sourceCompleteEvent),
  fc.string().map((error): GateEvent => ({ kind: 'source-error', error })),
  fc.constant(closeEvent),
);

describe('nextGatePhase', () => {
  it('follows the model: the first end of the source wins, admission once ended stays ended, nothing leaves closed', () => {
    fc.assert(
      fc.property(fc.array(events, { maxLength: 12 }), (sequence) => {
        let phase: GatePhase = openPhase;
        let source: NonNullable<GatePhase>['kind'] | 'closed' = 'open';
        let error: unknown;
        let admissionEnded = false;
        for (const event of sequence) {
          const before = phase;
          phase = nextGatePhase(phase, event);
          if (before === undefined) {
            expect(phase).toBe(undefined);
            continue;
          }
          if (event.kind === 'close') source = 'closed';
          else if (event.kind === 'admission-ended') admissionEnded = true;
          else if (source === 'open' && event.kind === 'source-complete') source = 'completing';
          else if (source === 'open' && event.kind === 'source-error') {
            source = 'failing';
            error = event.error;
          }
          if (source === 'closed') {
            expect(phase).toBe(undefined);
          } else if (source === 'failing') {
            expect(phase).toEqual({ kind: 'failing', admissionEnded, error });
          } else {
            expect(phase).toEqual({ kind: source, admissionEnded });
          }
        }
      }),
    );
  });

  it('allocates no phase for a transition without an error: the same shared object comes back', () => {
    const ended = nextGatePhase(openPhase, admissionEndedEvent);
    expect(nextGatePhase(openPhase, admissionEndedEvent)).toBe(ended);
    expect(nextGatePhase(ended, sourceCompleteEvent)).toBe(
      nextGatePhase(nextGatePhase(openPhase, sourceCompleteEvent), admissionEndedEvent),
    );
  });
});
