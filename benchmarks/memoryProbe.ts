// The child process of memory.bench.ts: `node --expose-gc memoryProbe <case> <N>...` runs one memory
// case at each N in a fresh heap (a full GC before each) and prints its figures as one JSON line.
import { HeapSampler } from './harness.js';
import { isMemoryCaseName, memoryCases } from './memoryCases.js';

/** What the probe reports for one N. */
export interface HeapFigure {
  readonly items: number;
  readonly peakBytes: number;
  readonly itemsPerSecond: number;
}

const [name, ...sizes] = process.argv.slice(2);
if (!isMemoryCaseName(name)) throw new TypeError(`Unknown memory case ${String(name)}.`);
const figures: HeapFigure[] = [];
for (const size of sizes) {
  const items = Number(size);
  const heap = new HeapSampler();
  const started = performance.now();
  await memoryCases[name].run(items, heap);
  const seconds = (performance.now() - started) / 1000;
  figures.push({ items, peakBytes: heap.peakBytes, itemsPerSecond: items / seconds });
}
process.stdout.write(`${JSON.stringify(figures)}\n`);
