import type { FlowMonitor } from '../monitor/FlowMonitor.js';
import type { BufferOptions } from './BufferOptions.js';
import type { RetryWithBackoffOptions } from './retryWithBackoff.js';

/**
 * How {@link withHandshake} retries a failed call of one item: the options and the backoff formula of
 * {@link retryWithBackoff} (`maxAttempts` counts the item's calls, the first included; the default
 * `retryIf` retries refusals only), without `resetOnSuccess`, which has no meaning for one item. Each
 * retry goes through the handshake again.
 *
 * @example
 * ```ts
 * import type { CallRetryOptions } from 'rxjs-backpressure';
 *
 * const retry: CallRetryOptions = { maxAttempts: 8, initialDelay: 50, maxDelay: 2_000, jitter: 'full' };
 * ```
 */
export type CallRetryOptions = Omit<RetryWithBackoffOptions, 'resetOnSuccess'>;

/**
 * Options of {@link withHandshake}: the shared {@link BufferOptions} (what to do with items while the
 * service is not ready), the order of results, and what to do when a call fails or takes too long.
 *
 * @example
 * ```ts
 * import type { WithHandshakeOptions } from 'rxjs-backpressure';
 *
 * const options: WithHandshakeOptions<string> = {
 *   bufferSize: 64,
 *   ordered: true,
 *   timeout: 5_000,
 *   retry: { maxAttempts: 4 },
 *   callErrors: 'drop',
 * };
 * const perAccount: WithHandshakeOptions<{ account: string }> = {
 *   ordered: 'per-key',
 *   key: (transfer) => transfer.account, // in order per account, accounts in parallel
 * };
 * ```
 */
export interface WithHandshakeOptions<T> extends BufferOptions<T> {
  /**
   * `true`: results come out in the order their items came in (a result waits for those before it).
   * `'per-key'` (with `key`): in that order within each key only, so keys (accounts, devices) run in
   * parallel and a slow call holds back only later results of its own key. Default `false`: in the
   * order the calls finish, like `mergeMap`.
   */
  readonly ordered?: boolean | 'per-key';
  /**
   * What a failed call does once it is not retried (any more): `'fail'` (the default, like `mergeMap`)
   * errors the output with the call's error; `'drop'` reports the item dropped with reason `'error'`
   * and goes on with the next. Either way the item is counted dropped, not delivered.
   */
  readonly callErrors?: 'fail' | 'drop';
  /**
   * Retries an item whose call failed, with backoff, through the handshake: when its wait is over it
   * asks `isReady()` again, ahead of items that never ran. While it waits it counts as in flight, so
   * waiting never lets more work in. The source is never resubscribed. Values an Observable result
   * emitted before it failed stay emitted (with `ordered`, they wait for the retry's). Off by default.
   */
  readonly retry?: CallRetryOptions;
  /**
   * Milliseconds a call may take (positive, at most 2^31 - 1): then its `AbortSignal` aborts with a
   * `CallTimeoutError`, and the item fails with that error (retried when `retry` says so). Timed on
   * `scheduler`. Default: no limit.
   */
  readonly timeout?: number;
  /**
   * The most items this subscription has in flight at once, calls running and items waiting to be
   * retried together: a positive integer or `Infinity`. Default: the service's `capacity` when it tells
   * one (a `TrackedService`, an `AdaptiveService`, an `httpService` with a capacity), else `Infinity`.
   */
  readonly concurrency?: number;
  /**
   * Reports this stage to the monitor while subscribed: its counts (received, delivered, buffered,
   * dropped by reason), its own calls in flight, and the service's capacity and utilization when the
   * service tells them (numeric `capacity` and `active`). Read only when a snapshot is taken, so the
   * stage does no extra work per item. A monitor watches one stage at a time: a second concurrent
   * subscription errors with a `BackpressureError` of code `'ERR_MONITOR_IN_USE'`.
   */
  readonly monitor?: FlowMonitor;
}
