import type { RateLimitReading } from './parseRateLimit.js';

/**
 * A client's estimate of its quota at a rate-limited API, from what the responses announce: requests
 * left in the window, and when the window resets. Conservative on purpose, so a client that follows it
 * is not refused: each request started spends one at once, requests still in flight when an answer
 * tells the remaining count are taken off it too, and within a window a later answer can only lower
 * the count (answers overtake each other).
 */
export class RateLimitQuota {
  #remaining = Number.POSITIVE_INFINITY;
  #limit: number | undefined;
  /** When the window resets, by the scheduler's clock; -Infinity when not known. */
  #resetAt = Number.NEGATIVE_INFINITY;

  /** Milliseconds until the quota allows a request again: 0 when it allows one now. */
  waitAt(now: number): number {
    if (this.#remaining > 0) return 0;
    if (now < this.#resetAt) return this.#resetAt - now;
    // The window is over: a new one starts with the whole limit, when known.
    this.#remaining = this.#limit ?? Number.POSITIVE_INFINITY;
    return 0;
  }

  /** A request starts. */
  spend(): void {
    this.#remaining--;
  }

  /** An answer told the quota; `inFlight` requests besides its own were still running. */
  learn(reading: RateLimitReading, now: number, inFlight: number): void {
    if (reading.limit !== undefined) this.#limit = reading.limit;
    const remaining = reading.remaining - inFlight;
    if (now >= this.#resetAt) {
      this.#remaining = remaining;
      this.#resetAt = reading.resetAfter === undefined ? Number.NEGATIVE_INFINITY : now + reading.resetAfter;
    } else {
      this.#remaining = Math.min(this.#remaining, remaining);
    }
  }

  /** The API refused for the quota (a 429): nothing more until `retryAfter` ms from now. */
  exhausted(now: number, retryAfter: number): void {
    this.#remaining = 0;
    this.#resetAt = Math.max(this.#resetAt, now + retryAfter);
  }
}
