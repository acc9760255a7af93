import type { FlowState } from '../FlowState.js';
import type { FlowTrace } from '../FlowTrace.js';
import type { InvariantViolation } from '../Invariant.js';

/**
 * Returns the first violation `check` finds at the quiet moments of `trace`, pointing at the last
 * event before that moment. `check` gets the state and the virtual timers pending then, and returns a
 * message when they break the invariant.
 */
export function atQuietMoments(
  trace: FlowTrace<unknown, unknown>,
  invariant: string,
  check: (state: FlowState, timersPending: number) => string | undefined,
): InvariantViolation | undefined {
  for (const [index, eventCount] of trace.quietMoments.entries()) {
    const message = check(trace.stateAfter(eventCount), trace.timersPending[index] ?? 0);
    if (message !== undefined) {
      return { invariant, message, eventIndex: eventCount === 0 ? undefined : eventCount - 1 };
    }
  }
  return undefined;
}
