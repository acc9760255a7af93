/**
 * Why an item will never be delivered. Every drop is reported with one of these, through `onDrop` and
 * in the counts, so nothing is ever lost silently:
 *
 * - `'overflow'`: the buffer was full (the incoming item, or the one `overflow` chose to evict).
 * - `'no-credit'`: the item arrived without credit under the `'drop'` or `'error'` strategy, or could
 *   never be delivered because the credit signal ended.
 * - `'replaced'`: a newer item took its place under the `'latest'` strategy.
 * - `'expired'`: it waited in the buffer longer than `ttl`.
 * - `'error'`: the output errored before it could be delivered.
 * - `'unsubscribed'`: the output was unsubscribed while it waited.
 *
 * @example
 * ```ts
 * import type { DropReason } from 'rxjs-backpressure';
 *
 * const counts: Partial<Record<DropReason, number>> = {};
 * const onDrop = (_item: unknown, reason: DropReason) => {
 *   counts[reason] = (counts[reason] ?? 0) + 1;
 * };
 * onDrop('x', 'overflow');
 * ```
 */
export type DropReason = 'overflow' | 'no-credit' | 'replaced' | 'expired' | 'error' | 'unsubscribed';

/** Every {@link DropReason}, in a fixed order (for counters and reports). */
export const dropReasons: readonly DropReason[] = [
  'overflow',
  'no-credit',
  'replaced',
  'expired',
  'error',
  'unsubscribed',
];

/** A count of 0 for every {@link DropReason}, in the order of {@link dropReasons}. */
export function zeroPerReason(): Record<DropReason, number> {
  return Object.fromEntries(dropReasons.map((reason) => [reason, 0])) as Record<DropReason, number>;
}
