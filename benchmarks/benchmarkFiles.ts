import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileAsShipped } from './compileAsShipped.js';
import type { BenchmarkRun } from './harness.js';

const benchmarksFolder = fileURLToPath(new URL('.', import.meta.url));

/**
 * Every `*.bench.ts` file directly in benchmarks/, sorted, as absolute paths: a new file joins
 * `npm run bench` and `npm test` without any list to edit.
 */
export function benchmarkFiles(): string[] {
  return readdirSync(benchmarksFolder)
    .filter((name) => name.endsWith('.bench.ts'))
    .sort()
    .map((name) => join(benchmarksFolder, name));
}

/**
 * Compiles one benchmark file as the package ships (see {@link compileAsShipped}), imports it and
 * returns its `run`, or throws when it exports none.
 */
export async function loadBenchmark(file: string): Promise<BenchmarkRun> {
  const compiled = await compileAsShipped(file);
  let loaded: { run?: unknown };
  try {
    loaded = await import(pathToFileURL(compiled).href);
  } finally {
    rmSync(compiled, { force: true });
  }
  const run = loaded.run;
  if (typeof run !== 'function') {
    throw new TypeError(`${file} must export run(options: { quick: boolean }): Promise<BenchmarkRow[]>.`);
  }
  return run as BenchmarkRun;
}
