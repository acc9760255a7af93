import type { DropReason } from 'rxjs-backpressure';

/**
 * One thing that happened while a {@link FlowScenario} ran, at virtual time `at`. `T` is the source's
 * item type, `R` the output's.
 *
 * - the output: `'subscribed'`, `'delivered'`, `'completed'`, `'errored'`, `'unsubscribed'`;
 * - the source: `'sourceSubscribed'`, `'received'` (the source emitted `item` to the pipeline),
 *   `'sourceCompleted'`, `'sourceErrored'`, `'sourceReleased'` (a source subscription ended);
 * - the credit signal: `'creditsSubscribed'`, `'granted'` (`reentrant` when made inside `next`),
 *   `'creditsReleased'`;
 * - `'dropped'`: the pipeline reported `item` dropped through the context's `onDrop`, with `reason`.
 *
 * @example
 * ```ts
 * import type { FlowEvent } from 'rxjs-backpressure/testing';
 *
 * const event: FlowEvent<string, string> = { at: 3, kind: 'dropped', item: 'a', reason: 'overflow' };
 * ```
 */
export type FlowEvent<T, R> =
  | { readonly at: number; readonly kind: 'subscribed' }
  | { readonly at: number; readonly kind: 'delivered'; readonly item: R }
  | { readonly at: number; readonly kind: 'completed' }
  | { readonly at: number; readonly kind: 'errored'; readonly error: unknown }
  | { readonly at: number; readonly kind: 'unsubscribed' }
  | { readonly at: number; readonly kind: 'sourceSubscribed' }
  | { readonly at: number; readonly kind: 'received'; readonly item: T }
  | { readonly at: number; readonly kind: 'sourceCompleted' }
  | { readonly at: number; readonly kind: 'sourceErrored'; readonly error: unknown }
  | { readonly at: number; readonly kind: 'sourceReleased' }
  | { readonly at: number; readonly kind: 'creditsSubscribed' }
  | { readonly at: number; readonly kind: 'granted'; readonly credits: number; readonly reentrant: boolean }
  | { readonly at: number; readonly kind: 'creditsReleased' }
  | { readonly at: number; readonly kind: 'dropped'; readonly item: T; readonly reason: DropReason };
