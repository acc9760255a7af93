/** How much the newest call moves the average duration behind the derived advice. */
const durationWeight = 0.2;
/** Advice beyond a day is no advice a client should follow; it also keeps `Retry-After` an integer. */
const maxRetryAfterMs = 86_400_000;

/**
 * When a client the handler refuses should try again, in milliseconds: `options.retryAfter` when
 * given, else the provider's own advice, else the mean time between two freed slots while the provider
 * is saturated — the average duration of the calls this handler ran divided by the capacity. One per
 * handler; it learns the durations as calls end.
 */
export class RetryAdvice {
  readonly #fixedMs: number | undefined;
  /** Moving average of call durations in ms; unknown before a call. */
  #averageDuration: number | undefined;

  /** `fixedMs`: the `retryAfter` option in milliseconds, which overrides everything else. */
  constructor(fixedMs: number | undefined) {
    this.#fixedMs = fixedMs;
  }

  /** A call that ran work ended; `started` is its `performance.now()` when the work began. */
  measure(started: number): void {
    const duration = performance.now() - started;
    this.#averageDuration =
      this.#averageDuration === undefined
        ? duration
        : this.#averageDuration + durationWeight * (duration - this.#averageDuration);
  }

  /**
   * The advice for one refusal: `refusal` is the provider's own `ServiceAtCapacityError` when `do()`
   * refused (its `retryAfter`, if any, is used), `capacity` the provider's when it exposes one.
   */
  afterMs(refusal: unknown, capacity: number | undefined): number {
    if (this.#fixedMs !== undefined) return Math.min(maxRetryAfterMs, this.#fixedMs);
    const advised = (refusal as { retryAfter?: unknown } | undefined)?.retryAfter;
    if (typeof advised === 'number' && advised >= 0) {
      return Math.min(maxRetryAfterMs, Math.ceil(advised));
    }
    const between = (this.#averageDuration ?? 0) / Math.max(1, capacity ?? 1);
    return Math.min(maxRetryAfterMs, Math.max(1, Math.ceil(between)));
  }
}
