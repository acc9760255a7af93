import type { FlowTrace } from './FlowTrace.js';

/**
 * Where and how a {@link FlowTrace} broke an {@link Invariant}. `eventIndex` is the index in
 * `trace.events` of the event at (or right after) which it broke, when there is one.
 *
 * @example
 * ```ts
 * import type { InvariantViolation } from 'rxjs-backpressure/testing';
 *
 * const violation: InvariantViolation = {
 *   invariant: 'neverExceedsCredit',
 *   message: 'delivery number 2 came with only 1 credit granted.',
 *   eventIndex: 7,
 * };
 * ```
 */
export interface InvariantViolation {
  /** The invariant's name. */
  readonly invariant: string;
  /** What went wrong, with the numbers. */
  readonly message: string;
  readonly eventIndex: number | undefined;
}

/**
 * A property every run of a well-behaved pipeline keeps, checked on its {@link FlowTrace}. The kit's
 * seven are in {@link invariants}; write your own with the same shape and pass it to
 * `checkFlowControl(build, { invariants: [...] })`.
 *
 * @example
 * ```ts
 * import type { Invariant } from 'rxjs-backpressure/testing';
 *
 * const neverDropsOverflow: Invariant = {
 *   name: 'neverDropsOverflow',
 *   description: 'No item is dropped because a buffer was full.',
 *   check: (trace) => {
 *     const index = trace.events.findIndex((event) => event.kind === 'dropped' && event.reason === 'overflow');
 *     return index === -1
 *       ? undefined
 *       : { invariant: 'neverDropsOverflow', message: 'an item was dropped on overflow', eventIndex: index };
 *   },
 * };
 * ```
 */
export interface Invariant {
  /** A short camelCase name, used in reports. */
  readonly name: string;
  /** The property, in one sentence a user can check by hand on a timeline. */
  readonly description: string;
  /** The Reactive Streams rule it mirrors, if any (e.g. `'§1.1'`). */
  readonly rule?: string | undefined;
  /** The first violation in `trace`, or `undefined` when it holds. */
  check(trace: FlowTrace<unknown, unknown>): InvariantViolation | undefined;
}
