/** How many recent durations a reservoir keeps. */
const reservoirSize = 1024;

/**
 * The durations of the most recent calls, in a fixed ring (a constant 8 KiB, however many calls), for
 * latency percentiles. Recording is O(1) and allocates nothing; sorting waits for a snapshot.
 */
export class LatencyReservoir {
  readonly #durations = new Float64Array(reservoirSize);
  #count = 0;
  #next = 0;

  record(durationMs: number): void {
    this.#durations[this.#next] = durationMs;
    this.#next = (this.#next + 1) % reservoirSize;
    if (this.#count < reservoirSize) this.#count++;
  }

  /** The 50th and 99th percentiles (nearest rank) of the kept durations, or `undefined` before any. */
  percentiles(): { p50: number; p99: number } | undefined {
    if (this.#count === 0) return undefined;
    const sorted = this.#durations.slice(0, this.#count).sort();
    const rank = (quantile: number): number => sorted[Math.ceil(quantile * sorted.length) - 1] ?? 0;
    return { p50: rank(0.5), p99: rank(0.99) };
  }
}
