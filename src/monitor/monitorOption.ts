import { describeValue } from '../core/validation.js';
import type { ProbeBoard } from './ProbeBoard.js';

/**
 * Each monitor's probes, kept out of its public shape: only code of this library can attach to a
 * monitor. Being in this map is also what makes a value a monitor.
 */
const boards = new WeakMap<object, ProbeBoard>();

/** Links a new monitor to the probes it reads. */
export function registerMonitor(monitor: object, board: ProbeBoard): void {
  boards.set(monitor, board);
}

/**
 * Checks a `monitor` option when the operator or service is created: a `FlowMonitor`, or `undefined`
 * for none. Returns the monitor's probes to attach to, else throws a `TypeError` naming `argument`.
 */
export function monitorOption(value: unknown, argument: string): ProbeBoard | undefined {
  if (value === undefined) return undefined;
  const board = typeof value === 'object' && value !== null ? boards.get(value) : undefined;
  if (board === undefined) {
    throw new TypeError(`${argument} must be a FlowMonitor, got ${describeValue(value)}.`);
  }
  return board;
}
