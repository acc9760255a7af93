import { BackpressureError } from 'rxjs-backpressure';
import type { VirtualClock } from './VirtualClock.js';

/**
 * How many timer actions may run at one virtual instant before the run is declared a runaway. A timer
 * with no delay that reschedules itself (`interval(0, scheduler)`) never lets virtual time move on, so
 * neither the steps' times nor the horizon can stop it: without a bound the run would hang. No honest
 * pipeline comes near this many at one instant, so reaching it means the run would never settle.
 */
const maxActionsPerInstant = 100_000;

/**
 * Runs the timers of `clock` due by `at`, in order, then sets the clock to `at`, counting the timers
 * run at each instant, so a runaway timer ends the run with an error instead of hanging it. The clock
 * itself runs one timer at a time; this bound is the scenario run's, which is why it lives here.
 */
export function advanceClock(clock: VirtualClock, at: number): void {
  let instant = clock.now();
  let actionsAtInstant = 0;
  for (let next = clock.nextAt; next !== undefined && next <= at; next = clock.nextAt) {
    if (next !== instant) {
      instant = next;
      actionsAtInstant = 0;
    }
    if (++actionsAtInstant > maxActionsPerInstant) {
      throw new BackpressureError(
        'ERR_SCENARIO_RUNAWAY',
        `The run never settles: ${maxActionsPerInstant} timer actions ran at virtual time ${instant} and time never moved on (a timer of no delay rescheduling itself, like interval(0)?).`,
      );
    }
    clock.runNext();
  }
  clock.setTime(at);
}
