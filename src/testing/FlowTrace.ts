import type { DropReason } from 'rxjs-backpressure';
import { describeValue } from '../core/validation.js';
import type { FlowEvent } from './FlowEvent.js';
import type { FlowState } from './FlowState.js';
import type { FlowScenario } from './flowScenario.js';
import { renderTimeline } from './internal/renderTimeline.js';

const initialState: FlowState = {
  at: 0,
  received: 0,
  delivered: 0,
  dropped: 0,
  held: 0,
  granted: 0,
  outstanding: 0,
  sourceSubscriptions: 0,
  creditSubscriptions: 0,
  source: 'open',
  output: 'open',
};

function nextState<T, R>(state: FlowState, event: FlowEvent<T, R>): FlowState {
  const at = event.at;
  switch (event.kind) {
    case 'received':
      return { ...state, at, received: state.received + 1, held: state.held + 1 };
    case 'delivered':
      return {
        ...state,
        at,
        delivered: state.delivered + 1,
        held: state.held - 1,
        outstanding: state.outstanding - 1,
      };
    case 'dropped':
      return { ...state, at, dropped: state.dropped + 1, held: state.held - 1 };
    case 'granted': {
      const total = state.granted + event.credits;
      const granted = total > Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : total;
      return { ...state, at, granted, outstanding: granted - state.delivered };
    }
    case 'sourceSubscribed':
      return { ...state, at, sourceSubscriptions: state.sourceSubscriptions + 1 };
    case 'sourceReleased':
      return { ...state, at, sourceSubscriptions: state.sourceSubscriptions - 1 };
    case 'creditsSubscribed':
      return { ...state, at, creditSubscriptions: state.creditSubscriptions + 1 };
    case 'creditsReleased':
      return { ...state, at, creditSubscriptions: state.creditSubscriptions - 1 };
    case 'sourceCompleted':
      return { ...state, at, source: 'completed' };
    case 'sourceErrored':
      return { ...state, at, source: 'errored' };
    case 'completed':
    case 'errored':
    case 'unsubscribed':
      return { ...state, at, output: state.output === 'open' ? event.kind : state.output };
    case 'subscribed':
      return { ...state, at };
  }
}

/**
 * Everything that happened while one {@link FlowScenario} ran through a pipeline (see
 * {@link runScenario}): the events in order with their virtual time, the quiet moments, and the
 * ledger ({@link FlowState}) after any prefix of events. `toString()` renders an aligned,
 * marble-like timeline with one lane each for the source, the credits, the output and the drops.
 * Use it with the {@link invariants} in your own tests, or just print it.
 *
 * @example
 * ```ts
 * import { CreditController, requestCredits } from 'rxjs-backpressure';
 * import { invariants, runScenario } from 'rxjs-backpressure/testing';
 *
 * const trace = runScenario(
 *   { initialCredit: 1, steps: [{ at: 0, kind: 'emit', item: 'a' }, { at: 1, kind: 'emit', item: 'b' }] },
 *   (source, credits, { onDrop }) => source.pipe(requestCredits(credits, { strategy: 'drop', onDrop })),
 * );
 * console.log(String(trace)); // the timeline: 'a' delivered, 'b' dropped (no-credit)
 * console.log(invariants.conservesItems.check(trace)); // undefined: nothing lost
 * ```
 */
export class FlowTrace<T, R> {
  /** The scenario that ran. */
  readonly scenario: FlowScenario<T>;
  /** Every event, in the order it happened. */
  readonly events: readonly FlowEvent<T, R>[];
  /**
   * The quiet moments, each given as the number of events that had happened by then: after the
   * subscription and after each step, once every virtual timer due at that time has run (and, for
   * `checkFlowControlAsync`, no scheduled promise is pending). Liveness invariants are checked there.
   */
  readonly quietMoments: readonly number[];
  /** How many virtual timers were pending at each quiet moment (same order as `quietMoments`). */
  readonly timersPending: readonly number[];
  /**
   * Whether the pipeline could report its drops: `false` when `build` never read `context.onDrop`.
   * The kit then cannot tell an item released with the output (unsubscribed or errored) from a lost
   * one, and counts it released.
   */
  readonly dropsReported: boolean;
  /** The most items one output batch holds (see {@link OutputRule}); 1 without batching. */
  readonly batchSize: number;
  readonly #states: readonly FlowState[];

  constructor(
    scenario: FlowScenario<T>,
    events: readonly FlowEvent<T, R>[],
    quietMoments: readonly number[],
    options: {
      readonly timersPending?: readonly number[];
      readonly dropsReported?: boolean;
      readonly batchSize?: number;
    } = {},
  ) {
    if (!Array.isArray(events)) {
      throw new TypeError(
        `new FlowTrace(scenario, events, quietMoments): events must be an array, got ${describeValue(events)}.`,
      );
    }
    const moments: unknown = quietMoments;
    if (!Array.isArray(moments)) {
      throw new TypeError(
        `new FlowTrace(scenario, events, quietMoments): quietMoments must be an array, got ${describeValue(moments)}.`,
      );
    }
    moments.forEach((moment: unknown, index) => {
      if (typeof moment !== 'number' || !Number.isInteger(moment) || moment < 0 || moment > events.length) {
        throw new RangeError(
          `new FlowTrace(scenario, events, quietMoments): quietMoments[${index}] must be an event count from 0 to ${events.length}, got ${describeValue(moment)}.`,
        );
      }
    });
    this.scenario = scenario;
    this.events = [...events];
    this.quietMoments = [...quietMoments];
    this.timersPending = quietMoments.map((_, index) => options.timersPending?.[index] ?? 0);
    this.dropsReported = options.dropsReported ?? true;
    this.batchSize = options.batchSize ?? 1;
    const states: FlowState[] = [initialState];
    let state = initialState;
    for (const event of this.events) {
      state = nextState(state, event);
      states.push(state);
    }
    this.#states = states;
  }

  /** The ledger after the first `eventCount` events (`0` to `events.length`). */
  stateAfter(eventCount: number): FlowState {
    const state = Number.isInteger(eventCount) ? this.#states[eventCount] : undefined;
    if (state === undefined) {
      throw new RangeError(
        `stateAfter(eventCount): eventCount must be an integer from 0 to ${this.events.length}, got ${String(eventCount)}.`,
      );
    }
    return state;
  }

  /** The ledger at the end of the run. */
  get finalState(): FlowState {
    return this.stateAfter(this.events.length);
  }

  /** The items the source emitted to the pipeline, in order. */
  get received(): T[] {
    return this.events.flatMap((event) => (event.kind === 'received' ? [event.item] : []));
  }

  /** The items the output delivered, in order. */
  get delivered(): R[] {
    return this.events.flatMap((event) => (event.kind === 'delivered' ? [event.item] : []));
  }

  /** The items reported dropped, in order, with their reasons. */
  get dropped(): { item: T; reason: DropReason }[] {
    return this.events.flatMap((event) =>
      event.kind === 'dropped' ? [{ item: event.item, reason: event.reason }] : [],
    );
  }

  /** The aligned timeline, one event a row. */
  toString(): string {
    return renderTimeline(this);
  }
}
