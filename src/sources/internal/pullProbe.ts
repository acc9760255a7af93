import type { Subscription } from 'rxjs';
import type { StageProbe } from '../../core/StageProbe.js';
import type { CountedReads } from './CountedReads.js';

/**
 * What a monitored pullFrom hands its FlowMonitor: its reads as the ledger, credit 1 while it may read
 * and 0 while it waits (`waitsFor` tells which), whether its subscription is still open, and the
 * readiness provider it reads for. Live objects: the monitor reads them only at snapshot time.
 */
export function pullProbe(
  reads: CountedReads,
  waitsFor: () => string | undefined,
  subscription: Subscription,
  consumer: object | undefined,
): StageProbe {
  return {
    ledger: reads,
    bufferSize: 0,
    credit: {
      get outstanding() {
        return waitsFor() === undefined ? 1 : 0;
      },
    },
    source: {
      get open() {
        return !subscription.closed;
      },
    },
    consumer,
  };
}
