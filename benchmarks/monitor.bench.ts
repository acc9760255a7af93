// Issue 7's monitor benchmark: the cost of a FlowMonitor on a stage, requestCredits with unbounded
// credit over N items without and with a monitor. The monitor reads the gate's counters only when a
// snapshot is taken, so the two should be the same within noise.
import { of, range } from 'rxjs';
import { FlowMonitor, type RequestCreditsOptions, requestCredits } from '../src/index.js';
import {
  type BenchmarkOptions,
  type BenchmarkRow,
  type Contender,
  factor,
  measureThroughput,
} from './harness.js';

/**
 * requestCredits with unbounded credit over `items`, watched by `monitor` when one is given. With a
 * monitor, a run also checks that the monitor counted every item it delivered: a monitor that misses
 * items would be cheap for the wrong reason. The two snapshots per run fall inside the timing: beside N
 * items they are noise.
 */
function unboundedCredit(name: string, items: number, monitor: FlowMonitor | undefined): Contender {
  const options: RequestCreditsOptions<number> = monitor === undefined ? {} : { monitor };
  return {
    name,
    run: () => {
      const before = monitor?.snapshot().delivered ?? 0;
      let delivered = 0;
      range(0, items)
        .pipe(requestCredits(of(Number.POSITIVE_INFINITY), options))
        .subscribe(() => {
          delivered++;
        });
      if (monitor !== undefined) {
        const counted = monitor.snapshot().delivered - before;
        if (counted !== delivered)
          throw new Error(`${name}: the monitor counted ${counted} of ${delivered} items.`);
      }
      return delivered;
    },
  };
}

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const items = options.quick ? 10_000 : 2_000_000;
  const rounds = options.quick ? { warmups: 0, timed: 1 } : { warmups: 1, timed: 7 };
  const label = `requestCredits, unbounded credit, ${items.toLocaleString('en-US')} items`;
  const without = unboundedCredit(`${label}, no monitor`, items, undefined);
  const withMonitor = unboundedCredit(
    `${label}, with a FlowMonitor`,
    items,
    new FlowMonitor({ name: 'benchmark' }),
  );
  const rateOf = await measureThroughput(items, [without, withMonitor], rounds);
  return [
    { name: without.name, itemsPerSecond: rateOf(without) },
    {
      name: withMonitor.name,
      itemsPerSecond: rateOf(withMonitor),
      ratio: `${factor(rateOf(withMonitor) / rateOf(without))} without a monitor`,
    },
  ];
}
