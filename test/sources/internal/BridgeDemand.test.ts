import fc from 'fast-check';
import { NEVER } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BridgeDemand } from '../../../src/sources/internal/BridgeDemand.js';
import type { CreditBridge } from '../../../src/sources/internal/creditBridge.js';

/** A bridge that records what it is asked for: each request, and each supply beside it. */
function recordingBridge() {
  const requests: number[] = [];
  const supplies: number[] = [];
  const bridge: CreditBridge<string> = {
    output: NEVER,
    highWaterMark: 4,
    request: (n) => requests.push(n),
    supply: (n) => supplies.push(n),
  };
  return { bridge, requests, supplies };
}

/** A stream stand-in that records the errors it was failed with. */
interface FailedStream {
  readonly errors: unknown[];
}
const failStream = (stream: FailedStream, error: unknown): void => {
  stream.errors.push(error);
};

type Step = { readonly kind: 'ask'; readonly room: number } | { readonly kind: 'arrive' };

describe('BridgeDemand', () => {
  it('asks for exactly the room beyond what is on its way, as request and supply alike', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('ask' as const), room: fc.integer({ min: -2, max: 8 }) }),
      fc.constant({ kind: 'arrive' as const }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps: Step[]) => {
        const { bridge, requests, supplies } = recordingBridge();
        const demand = new BridgeDemand<string, FailedStream>(bridge, failStream);
        let onItsWay = 0;
        const expected: number[] = [];
        for (const next of steps) {
          if (next.kind === 'arrive') {
            if (onItsWay === 0) continue;
            onItsWay--;
            demand.arrived();
          } else {
            demand.askForRoom(next.room);
            if (next.room > onItsWay) {
              expected.push(next.room - onItsWay);
              onItsWay = next.room;
            }
          }
          expect(demand.settled).toBe(onItsWay === 0);
        }
        expect(requests).toEqual(expected);
        expect(supplies).toEqual(expected);
      }),
    );
  });

  it('fails the stream at once when its queue is empty, and holds nothing back', () => {
    const { bridge, requests } = recordingBridge();
    const demand = new BridgeDemand<string, FailedStream>(bridge, failStream);
    const stream: FailedStream = { errors: [] };
    const error = new Error('pipeline failed');
    demand.error(stream, error, true);
    expect(stream.errors).toEqual([error]);
    expect(demand.failIfHeld(stream, true)).toBe(false);
    expect(stream.errors).toEqual([error]);
    demand.askForRoom(3);
    expect(requests).toEqual([3]);
  });

  it('holds an error back while the queue has items, fails with it once the queue is empty, and asks for nothing meanwhile', () => {
    const { bridge, requests, supplies } = recordingBridge();
    const demand = new BridgeDemand<string, FailedStream>(bridge, failStream);
    const stream: FailedStream = { errors: [] };
    demand.askForRoom(2);
    const error = new Error('pipeline failed');
    demand.error(stream, error, false);
    expect(stream.errors).toEqual([]);
    demand.arrived();
    demand.askForRoom(4);
    expect(requests).toEqual([2]);
    expect(supplies).toEqual([2]);
    expect(demand.failIfHeld(stream, false)).toBe(true);
    expect(stream.errors).toEqual([]);
    expect(demand.failIfHeld(stream, true)).toBe(true);
    expect(stream.errors).toEqual([error]);
  });
});
