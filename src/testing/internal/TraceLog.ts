import type { SchedulerLike } from 'rxjs';
import type { FlowEvent } from '../FlowEvent.js';
import { FlowTrace } from '../FlowTrace.js';
import type { FlowScenario } from '../flowScenario.js';

type DistributiveOmit<U, K extends PropertyKey> = U extends unknown ? Omit<U, K> : never;

/** A {@link FlowEvent} as the parts of a run report it: the log stamps the virtual time. */
export type UntimedEvent<T, R> = DistributiveOmit<FlowEvent<T, R>, 'at'>;

/**
 * What one run has recorded so far, kept apart from the run that drives the pipeline so that the
 * source, the credits and the output all write to one place: the events stamped with the clock's time,
 * the quiet moments (with how many timers waited at each), and whether the pipeline read `onDrop`.
 */
export class TraceLog<T, R> {
  readonly #clock: SchedulerLike;
  readonly #events: FlowEvent<T, R>[] = [];
  readonly #quietMoments: number[] = [];
  readonly #timersPending: number[] = [];
  #recording = true;
  #dropsReported = false;

  constructor(clock: SchedulerLike) {
    this.#clock = clock;
  }

  record(event: UntimedEvent<T, R>): void {
    if (this.#recording) this.#events.push({ ...event, at: this.#clock.now() } as FlowEvent<T, R>);
  }

  /** Notes that the pipeline read `onDrop`: one that never did cannot report drops. */
  noteDropsReported(): void {
    this.#dropsReported = true;
  }

  /** Notes a quiet moment with `timersPending` timers waiting; a second one with no event between replaces it. */
  markQuiet(timersPending: number): void {
    if (this.#quietMoments.at(-1) === this.#events.length) {
      this.#timersPending[this.#timersPending.length - 1] = timersPending;
      return;
    }
    this.#quietMoments.push(this.#events.length);
    this.#timersPending.push(timersPending);
  }

  /** Stops recording (what happens from now on is not part of the trace) and returns the trace. */
  close(scenario: FlowScenario<T>, batchSize: number): FlowTrace<T, R> {
    this.#recording = false;
    return new FlowTrace<T, R>(scenario, this.#events, this.#quietMoments, {
      timersPending: this.#timersPending,
      dropsReported: this.#dropsReported,
      batchSize,
    });
  }
}
