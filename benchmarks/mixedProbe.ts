// The child process of mixed.bench.ts: `node --expose-gc mixedProbe <quick|full> [case name]` runs every
// mixed case one after another in this one process (or only the named one, for its fresh-process
// figure), each `repetitions` times with a full GC before every repetition, and prints each case's
// median items/s over its last repetitions as one JSON line `{ [case]: itemsPerSecond }`. Seconds are
// the process's CPU time (user + system), not wall time: on a machine shared with other work, wall time
// measures the neighbours.
import { checkCount } from './harness.js';
import { fullSizes, type MixedCase, mixedCases, quickSizes } from './mixedCases.js';

/** A case's timings: this many repetitions, of which the median of the last `counted` is its figure. */
export const fullRepetitions = { repetitions: 15, counted: 10 } as const;
const quickRepetitions = { repetitions: 1, counted: 1 } as const;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function measure(mixedCase: MixedCase, repetitions: number, counted: number): Promise<number> {
  const collect = globalThis.gc;
  if (collect === undefined) throw new Error('Run the mixed probe with --expose-gc.');
  const rates: number[] = [];
  for (let repetition = 0; repetition < repetitions; repetition++) {
    collect();
    const started = process.cpuUsage();
    const delivered = await mixedCase.run();
    const { user, system } = process.cpuUsage(started);
    const seconds = (user + system) / 1e6;
    checkCount(mixedCase.name, mixedCase.items, delivered);
    rates.push(mixedCase.items / seconds);
  }
  return median(rates.slice(-counted));
}

const [mode, only] = process.argv.slice(2);
const quick = mode === 'quick';
const { repetitions, counted } = quick ? quickRepetitions : fullRepetitions;
const cases = mixedCases(quick ? quickSizes : fullSizes).filter(
  (mixedCase) => only === undefined || mixedCase.name === only,
);
if (cases.length === 0) throw new TypeError(`Unknown mixed case ${String(only)}.`);
const figures: Record<string, number> = {};
for (const mixedCase of cases) figures[mixedCase.name] = await measure(mixedCase, repetitions, counted);
process.stdout.write(`${JSON.stringify(figures)}\n`);
