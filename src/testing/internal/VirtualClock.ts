import { type SchedulerAction, type SchedulerLike, Subscription } from 'rxjs';

/** What the clock does with an action: run it, or cancel it. */
interface TimedAction {
  run(state: unknown): void;
  unsubscribe(): void;
}

/** A timer waiting in the clock's queue: its action, the state it runs with, and when. */
interface PendingTimer {
  readonly action: TimedAction;
  readonly state: unknown;
  readonly at: number;
}

/**
 * One scheduled piece of work. Rescheduling it (`this.schedule()` inside the work, as `interval` does)
 * replaces its pending timer; unsubscribing it removes that timer.
 */
class ClockAction<T> extends Subscription implements SchedulerAction<T>, TimedAction {
  readonly #clock: VirtualClock;
  readonly #work: (this: SchedulerAction<T>, state?: T) => void;

  constructor(clock: VirtualClock, work: (this: SchedulerAction<T>, state?: T) => void) {
    super();
    this.#clock = clock;
    this.#work = work;
    this.add(() => clock.cancel(this));
  }

  schedule(state?: T, delay = 0): Subscription {
    if (!this.closed) this.#clock.enqueue(this, state, delay);
    return this;
  }

  run(state: unknown): void {
    this.#work.call(this, state as T);
  }
}

/**
 * The scenario's virtual time: a `SchedulerLike` with a queue of its own, so the run drives it through
 * its own methods and never through RxJS's scheduler internals (which a patch release may change).
 * Timers run in the order of their time, those due at the same time in the order they were scheduled,
 * as on RxJS's `VirtualTimeScheduler`.
 */
export class VirtualClock implements SchedulerLike {
  #now = 0;
  /** Ordered by time, then by when each was scheduled; each action has at most one timer here. */
  readonly #queue: PendingTimer[] = [];

  now(): number {
    return this.#now;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new ClockAction(this, work).schedule(state, delay);
  }

  /** How many timers wait. */
  get pending(): number {
    return this.#queue.length;
  }

  /** When the earliest timer is due, `undefined` when none waits. */
  get nextAt(): number | undefined {
    return this.#queue[0]?.at;
  }

  /**
   * Runs the earliest timer, with the time set to its own. A timer that throws cancels every other one
   * and the error is rethrown, as `VirtualTimeScheduler.flush()` does.
   */
  runNext(): void {
    const timer = this.#queue.shift();
    if (timer === undefined) return;
    this.#now = timer.at;
    try {
      timer.action.run(timer.state);
    } catch (error) {
      timer.action.unsubscribe();
      this.cancelAll();
      throw error;
    }
  }

  /** Sets the time, with no timer run. */
  setTime(at: number): void {
    this.#now = at;
  }

  /** Cancels every timer that waits. */
  cancelAll(): void {
    for (const timer of this.#queue.splice(0)) timer.action.unsubscribe();
  }

  /** @internal Puts `action`'s timer in its place, replacing the one it had. */
  enqueue(action: TimedAction, state: unknown, delay: number): void {
    this.cancel(action);
    // A timer of infinite delay never fires, as on RxJS's virtual schedulers.
    if (!Number.isFinite(delay)) return;
    const timer: PendingTimer = { action, state, at: this.#now + delay };
    let index = this.#queue.length;
    while (index > 0 && (this.#queue[index - 1] as PendingTimer).at > timer.at) index--;
    this.#queue.splice(index, 0, timer);
  }

  /** @internal Removes `action`'s timer, if it has one waiting. */
  cancel(action: TimedAction): void {
    const index = this.#queue.findIndex((timer) => timer.action === action);
    if (index >= 0) this.#queue.splice(index, 1);
  }
}
