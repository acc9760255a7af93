import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CreditStreamEvent } from '../../../src/http/internal/creditStream.js';
import { type Leased, RoomEstimate } from '../../../src/http/internal/RoomEstimate.js';

describe('RoomEstimate', () => {
  it('lets one call out while nothing is known and nothing is in flight, and none more until it is answered', () => {
    const estimate = new RoomEstimate();
    expect(estimate.usable()).toBe(1);
    expect(estimate.send()).toBeUndefined();
    expect(estimate.usable()).toBe(0);
    estimate.answered(200, undefined, undefined);
    expect(estimate.usable()).toBe(1);
  });

  it('learns the room from the load an answer carries, less the calls sent since', () => {
    const estimate = new RoomEstimate();
    estimate.send();
    estimate.answered(200, { capacity: 8, active: 3 }, undefined);
    expect(estimate.usable()).toBe(5);
    estimate.send();
    estimate.send();
    expect(estimate.usable()).toBe(3);
  });

  it('gives back the room of a call refused with a 503 or a 4xx that carried no load', () => {
    for (const status of [503, 400, 413]) {
      const estimate = new RoomEstimate();
      estimate.send();
      estimate.answered(200, { capacity: 4, active: 0 }, undefined);
      estimate.send();
      estimate.send();
      estimate.answered(status, undefined, undefined);
      expect(estimate.usable()).toBe(3);
    }
  });

  it('has no room while connecting, then exactly the credit the lease grants, spent one per call', () => {
    const estimate = new RoomEstimate();
    estimate.toConnecting();
    expect(estimate.usable()).toBe(0);
    estimate.heard({ kind: 'lease', lease: 'a' });
    estimate.heard({ kind: 'share', share: 2.5 });
    estimate.heard({ kind: 'credit', amount: 3 });
    expect(estimate.share).toBe(2.5);
    expect(estimate.usable()).toBe(3);
    const leased = estimate.send();
    expect(leased?.lease).toBe('a');
    expect(estimate.usable()).toBe(2);
    estimate.heard({ kind: 'revoke', amount: 5 });
    expect(estimate.usable()).toBe(0);
    // A leased call's answer changes nothing: the server grants the freed slot back by an event.
    estimate.answered(200, { capacity: 8, active: 0 }, leased);
    expect(estimate.usable()).toBe(0);
  });

  it('asks to re-learn a lease only once a call ended without an answer and no call is in flight', () => {
    const estimate = new RoomEstimate();
    estimate.toConnecting();
    estimate.heard({ kind: 'lease', lease: 'a' });
    estimate.heard({ kind: 'credit', amount: 2 });
    const first = estimate.send();
    const second = estimate.send();
    estimate.answered(undefined, undefined, first);
    expect(estimate.mustRelearn()).toBe(false);
    estimate.answered(200, undefined, second);
    expect(estimate.mustRelearn()).toBe(true);
    estimate.toConnecting();
    expect(estimate.mustRelearn()).toBe(false);
    expect(estimate.share).toBeUndefined();
  });

  it('never shows negative room, and shows at least 1 without a lease while nothing is in flight (property)', () => {
    type Step =
      | { kind: 'send' }
      | { kind: 'answer'; status: number | undefined; load: boolean; capacity: number; active: number }
      | { kind: 'event'; event: CreditStreamEvent }
      | { kind: 'phase'; to: 'connecting' | 'reconnecting' | 'unwatched' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.constant<Step>({ kind: 'send' }),
      fc.record({
        kind: fc.constant<'answer'>('answer'),
        status: fc.constantFrom(undefined, 200, 204, 400, 500, 503),
        load: fc.boolean(),
        capacity: fc.nat(10),
        active: fc.nat(10),
      }),
      fc
        .oneof(
          fc.constant<CreditStreamEvent>({ kind: 'lease', lease: 'l' }),
          fc.nat(5).map<CreditStreamEvent>((amount) => ({ kind: 'credit', amount })),
          fc.nat(5).map<CreditStreamEvent>((amount) => ({ kind: 'revoke', amount })),
          fc.nat(5).map<CreditStreamEvent>((share) => ({ kind: 'share', share })),
        )
        .map<Step>((event) => ({ kind: 'event', event })),
      fc.constantFrom<Step>(
        { kind: 'phase', to: 'connecting' },
        { kind: 'phase', to: 'reconnecting' },
        { kind: 'phase', to: 'unwatched' },
      ),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const estimate = new RoomEstimate();
        const inFlight: (Leased | undefined)[] = [];
        let connecting = false;
        for (const s of steps) {
          if (s.kind === 'send') {
            inFlight.push(estimate.send());
          } else if (s.kind === 'answer') {
            if (inFlight.length === 0) continue;
            const load =
              s.load && s.active <= s.capacity ? { capacity: s.capacity, active: s.active } : undefined;
            estimate.answered(s.status, load, inFlight.shift());
          } else if (s.kind === 'event') {
            estimate.heard(s.event);
            if (s.event.kind === 'lease') connecting = false;
          } else {
            connecting = s.to === 'connecting';
            if (s.to === 'connecting') estimate.toConnecting();
            else if (s.to === 'reconnecting') estimate.toReconnecting();
            else estimate.toUnwatched();
          }
          expect(estimate.usable()).toBeGreaterThanOrEqual(0);
          if (connecting) expect(estimate.usable()).toBe(0);
          if (estimate.share === undefined && !connecting && inFlight.length === 0) {
            expect(estimate.usable()).toBeGreaterThanOrEqual(1);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
