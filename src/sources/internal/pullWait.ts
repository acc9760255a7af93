import type { ReadinessProvider } from '../../core/ReadinessProvider.js';
import type { Demand } from './Reader.js';

// What a pullFrom waits for, told to its monitor (as credit 1 or 0) and to its StallWatch, which names
// it in the one line it writes when the event loop empties with the source still waiting.

/** What a pullFrom waits for (no credit, or a consumer that is not ready), or `undefined` if nothing. */
export function pullWait(demand: Demand, readiness: ReadinessProvider | undefined): string | undefined {
  if (readiness === undefined) {
    return demand.credit.outstanding > 0 || demand.signalEnded ? undefined : 'no credit';
  }
  try {
    return readiness.isReady() ? undefined : 'a consumer that is not ready';
  } catch {
    return 'a consumer whose isReady() throws';
  }
}

/** The stall warning of a pullFrom waiting for `waitingFor`, or `undefined` when it waits for nothing. */
export function pullStall(waitingFor: string | undefined): string | undefined {
  if (waitingFor === undefined) return undefined;
  return `pullFrom stalled: its source has not ended and it has ${waitingFor}. Did a step between pullFrom and the code that grants drop or merge items (filter, skip, bufferCount), so their credit never came back? Close the loop without counting: pullFrom(source, stage).pipe(..., stage) with stage = mergeMapWithCredits(work)`;
}
