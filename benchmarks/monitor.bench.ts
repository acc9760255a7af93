import { of, range } from 'rxjs';
import { FlowMonitor, type RequestCreditsOptions, requestCredits } from '../src/index.js';

/** One line of the benchmark report. */
export interface BenchmarkRow {
  name: string;
  itemsPerSecond: number;
  ratio?: string;
}

/**
 * Pushes `items` through requestCredits with unbounded credit and returns items per second, after
 * checking every item arrived (and, with a monitor, that the monitor counted every one).
 */
function timeOnce(items: number, monitor: FlowMonitor | undefined): number {
  const options: RequestCreditsOptions<number> = monitor === undefined ? {} : { monitor };
  const before = monitor?.snapshot().delivered ?? 0;
  let delivered = 0;
  const started = performance.now();
  range(0, items)
    .pipe(requestCredits(of(Number.POSITIVE_INFINITY), options))
    .subscribe(() => {
      delivered++;
    });
  const elapsed = performance.now() - started;
  if (delivered !== items)
    throw new Error(`delivered ${delivered} of ${items} items; the timing does not count`);
  const counted = (monitor?.snapshot().delivered ?? before + items) - before;
  if (counted !== items) throw new Error(`the monitor counted ${counted} of ${items} items`);
  return Math.round(items / (Math.max(elapsed, 0.001) / 1000));
}

/**
 * The cost of a FlowMonitor on a stage: requestCredits with unbounded credit over N items, without and
 * with a monitor. The monitor reads the gate's counters only when a snapshot is taken, so the two
 * should be the same within noise. Rounds alternate and the best of each is kept.
 */
export async function run(options: { quick: boolean }): Promise<BenchmarkRow[]> {
  const items = options.quick ? 10_000 : 2_000_000;
  const rounds = options.quick ? 1 : 7;
  const monitor = new FlowMonitor({ name: 'benchmark' });
  let without = 0;
  let withMonitor = 0;
  // Round 0 warms both paths up and is not counted.
  for (let round = 0; round <= rounds; round++) {
    const a = timeOnce(items, undefined);
    const b = timeOnce(items, monitor);
    if (round === 0) continue;
    without = Math.max(without, a);
    withMonitor = Math.max(withMonitor, b);
  }
  return [
    { name: `requestCredits, unbounded credit, ${items} items, no monitor`, itemsPerSecond: without },
    {
      name: `requestCredits, unbounded credit, ${items} items, with a FlowMonitor`,
      itemsPerSecond: withMonitor,
      ratio: `${(withMonitor / without).toFixed(2)}x without a monitor`,
    },
  ];
}
