// The timing and heap helpers every benchmark shares, and the shape every `*.bench.ts` file exports.

/** How a benchmark file is run: `quick` (small N, one round) inside `npm test`, full by `npm run bench`. */
export interface BenchmarkOptions {
  readonly quick: boolean;
}

/** One line of a benchmark table. A memory row may carry its heap figures in `name` and `ratio`. */
export interface BenchmarkRow {
  readonly name: string;
  readonly itemsPerSecond: number;
  readonly ratio?: string;
}

/** What every `*.bench.ts` file exports as `run`. */
export type BenchmarkRun = (options: BenchmarkOptions) => Promise<BenchmarkRow[]>;

/** One pipeline under test: runs the workload once and returns how many items it delivered. */
export interface Contender {
  readonly name: string;
  run(): number | Promise<number>;
}

/** Untimed warm-up rounds, then timed rounds of which the best counts. */
export interface Rounds {
  readonly warmups: number;
  readonly timed: number;
}

/** A timing counts only when every item arrived: a fast wrong answer is no answer. */
export function checkCount(name: string, expected: number, actual: number): void {
  if (actual !== expected) {
    throw new Error(`${name} delivered ${actual} of ${expected} items; its timing does not count.`);
  }
}

/** Each contender's best items/s, looked up by the contender itself. */
export type Rates = (contender: Contender) => number;

/**
 * Runs every contender over the same `items`, round after round, and returns each one's best
 * items/s. Rounds interleave the contenders, so drift of the machine (other processes on the 2 cores,
 * GC of an earlier contender's garbage) spreads over all of them, and the best round is the least
 * disturbed one.
 */
export async function measureThroughput(
  items: number,
  contenders: readonly Contender[],
  rounds: Rounds,
): Promise<Rates> {
  const best = new Map(contenders.map((contender) => [contender, 0]));
  for (let round = 0; round < rounds.warmups + rounds.timed; round++) {
    for (const contender of contenders) {
      const started = performance.now();
      const delivered = await contender.run();
      const seconds = (performance.now() - started) / 1000;
      checkCount(contender.name, items, delivered);
      if (round >= rounds.warmups) best.set(contender, Math.max(best.get(contender) ?? 0, items / seconds));
    }
  }
  return (contender) => {
    const rate = best.get(contender);
    if (rate === undefined) throw new Error(`${contender.name} was not measured.`);
    return rate;
  };
}

/** A ratio as the tables print it: `1.08x`. */
export function factor(value: number): string {
  return `${value.toFixed(2)}x`;
}

export const targetMet = '✓';
export const targetMissed = '✗';

/**
 * Returns how `options`' run states a target and its verdict, e.g. `unbounded credit within 1.2x of
 * map: 1.08x ✓` from `('unbounded credit within 1.2x of map', '1.08x', true)`. A quick run (small N,
 * cold JIT) says nothing about performance, so it only shows the figure. Never throws: a target
 * missed never fails a run.
 */
export function targetJudge(
  options: BenchmarkOptions,
): (claim: string, figure: string, met: boolean) => string {
  if (options.quick) return (claim, figure) => `${claim}: ${figure} (quick run: not judged)`;
  return (claim, figure, met) => `${claim}: ${figure} ${met ? targetMet : targetMissed}`;
}

/** A byte count as the tables print it: `12.3 MB`. */
export function formatBytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * The peak of `heapUsed` above a baseline taken at construction, after a full collection when the
 * process runs with `--expose-gc` (so the baseline holds no garbage of earlier work).
 */
export class HeapSampler {
  readonly #baseline: number;
  #peak: number;

  constructor() {
    globalThis.gc?.();
    this.#baseline = process.memoryUsage().heapUsed;
    this.#peak = this.#baseline;
  }

  sample(): void {
    const used = process.memoryUsage().heapUsed;
    if (used > this.#peak) this.#peak = used;
  }

  /** The highest sample above the baseline, in bytes. */
  get peakBytes(): number {
    return this.#peak - this.#baseline;
  }
}
