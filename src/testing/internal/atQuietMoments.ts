import type { FlowState } from '../FlowState.js';
import type { FlowTrace } from '../FlowTrace.js';
import type { InvariantViolation } from '../Invariant.js';

/**
 * Returns the first violation `check` finds at the quiet moments of `trace`, pointing at the last
 * event before that moment. `check` returns a message when the state breaks the invariant.
 */
export function atQuietMoments(
  trace: FlowTrace<unknown, unknown>,
  invariant: string,
  check: (state: FlowState) => string | undefined,
): InvariantViolation | undefined {
  for (const eventCount of trace.quietMoments) {
    const message = check(trace.stateAfter(eventCount));
    if (message !== undefined) {
      return { invariant, message, eventIndex: eventCount === 0 ? undefined : eventCount - 1 };
    }
  }
  return undefined;
}
