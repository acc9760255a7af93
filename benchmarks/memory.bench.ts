// Issue 3's and 4's memory benchmark: a fast synchronous producer into a slower consumer. Our bounded
// operators (bufferSize 1000, drop-oldest) must keep the heap flat as N grows tenfold; the plain
// concatMap/mergeMap queue every item. Each case runs in its own process (--expose-gc, so every
// baseline follows a full collection; a heap cap, so a growing case cannot exhaust the machine).
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compileAsShipped } from './compileAsShipped.js';
import { type BenchmarkOptions, type BenchmarkRow, formatBytes, targetJudge } from './harness.js';
import { type MemoryCaseName, memoryCases } from './memoryCases.js';
import type { HeapFigure } from './memoryProbe.js';

const probeSource = fileURLToPath(new URL('./memoryProbe.ts', import.meta.url));
const caseNames = Object.keys(memoryCases) as MemoryCaseName[];
/** Growth below this is noise (a few samples of the allocator's slack over millions of items). */
const flatBytesPerItem = 1;

/** The probe's figures at a small and a large N. */
type HeapFigures = [small: HeapFigure, large: HeapFigure];

function isHeapFigures(value: unknown): value is HeapFigures {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    value.every(
      (figure: Partial<Record<keyof HeapFigure, unknown>>) =>
        typeof figure.items === 'number' &&
        typeof figure.peakBytes === 'number' &&
        typeof figure.itemsPerSecond === 'number',
    )
  );
}

async function probe(
  compiledProbe: string,
  name: MemoryCaseName,
  sizes: readonly [small: number, large: number],
): Promise<HeapFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--expose-gc',
    '--max-old-space-size=1024',
    compiledProbe,
    name,
    ...sizes.map(String),
  ]);
  const figures: unknown = JSON.parse(stdout);
  if (!isHeapFigures(figures)) {
    throw new Error(`The memory probe of ${name} printed ${stdout}`);
  }
  return figures;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact' });

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const sizes = options.quick ? ([10_000, 100_000] as const) : ([1_000_000, 10_000_000] as const);
  const target = targetJudge(options);
  const compiledProbe = await compileAsShipped(probeSource);
  try {
    const rows: BenchmarkRow[] = [];
    for (const name of caseNames) {
      const [small, large] = await probe(compiledProbe, name, sizes);
      const growth = (large.peakBytes - small.peakBytes) / (large.items - small.items);
      const figure = `${growth.toFixed(2)} B/item`;
      const { name: caseName, bounded } = memoryCases[name];
      rows.push({
        name: `${caseName}: peak heap ${formatBytes(small.peakBytes)} at ${compact.format(small.items)}, ${formatBytes(large.peakBytes)} at ${compact.format(large.items)}`,
        itemsPerSecond: large.itemsPerSecond,
        ratio: bounded
          ? target(`flat (under ${flatBytesPerItem} B/item)`, figure, growth < flatBytesPerItem)
          : `grows ${figure}`,
      });
    }
    return rows;
  } finally {
    rmSync(compiledProbe, { force: true });
  }
}
