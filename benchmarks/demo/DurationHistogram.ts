/** Each bucket's upper bound is this many times the one before: percentiles within 5%. */
const ratio = 1.05;
/** Durations from 1 ms up to about 12 minutes; anything longer lands in the last bucket. */
const buckets = Math.ceil(Math.log(720_000) / Math.log(ratio)) + 1;

/** Percentiles of the durations recorded, in ms. */
export interface DurationPercentiles {
  readonly p50: number;
  readonly p99: number;
  /** How many durations were recorded. */
  readonly count: number;
}

/**
 * Durations in ms (the age of a job, the latency of a call) in logarithmic buckets: a fixed amount of
 * memory however many are recorded, so measuring them does not grow the heap the demo shows.
 */
export class DurationHistogram {
  readonly #counts = new Uint32Array(buckets);
  #count = 0;

  record(duration: number): void {
    const index = duration <= 1 ? 0 : Math.min(buckets - 1, Math.ceil(Math.log(duration) / Math.log(ratio)));
    this.#counts[index] = (this.#counts[index] ?? 0) + 1;
    this.#count++;
  }

  /** The p50 and p99 (each bucket's upper bound), or undefined when nothing was recorded. */
  percentiles(): DurationPercentiles | undefined {
    if (this.#count === 0) return undefined;
    return { p50: this.#percentile(0.5), p99: this.#percentile(0.99), count: this.#count };
  }

  clear(): void {
    this.#counts.fill(0);
    this.#count = 0;
  }

  #percentile(fraction: number): number {
    const rank = Math.ceil(fraction * this.#count);
    let seen = 0;
    for (let index = 0; index < buckets; index++) {
      seen += this.#counts[index] ?? 0;
      if (seen >= rank) return Math.round(ratio ** index);
    }
    return Math.round(ratio ** (buckets - 1));
  }
}
