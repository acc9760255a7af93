import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchmarkFiles, loadBenchmark } from '../benchmarks/benchmarkFiles.js';

// Every benchmark runs once with small N so none of them rots. A benchmark throws when a run delivered
// the wrong number of items, so resolving with rows is the item-count check; speed is never asserted.
describe('benchmarks in quick mode', () => {
  it('finds the benchmark files', () => {
    expect(benchmarkFiles().map((file) => basename(file))).toEqual(
      expect.arrayContaining(['requestCredits.bench.ts', 'withHandshake.bench.ts', 'memory.bench.ts']),
    );
  });

  for (const file of benchmarkFiles()) {
    it(`${basename(file)} runs with every item accounted for`, async () => {
      const run = await loadBenchmark(file);
      const rows = await run({ quick: true });
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.name).not.toBe('');
    }, 30_000);
  }
});
