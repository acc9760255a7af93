// Issue 13's log import at full size: 2,000,001 lines (a header, a quarter DEBUG lines), batches of
// 100, an insert of 2 ms, at most 4 at once. pullFrom + mergeMapWithCredits beside the naive
// from(readline) + bufferCount + mergeMap(insert, 4), each in its own process: time, peak heap and RSS.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compileAsShipped } from './compileAsShipped.js';
import {
  type BenchmarkOptions,
  type BenchmarkRow,
  checkCount,
  factor,
  formatBytes,
  targetJudge,
} from './harness.js';
import { concurrency, type ImportFigures, type ImportPipeline, writeLog } from './logImport.js';

const probeSource = fileURLToPath(new URL('./logImportProbe.ts', import.meta.url));

async function probe(compiledProbe: string, pipeline: ImportPipeline, path: string, rows: number) {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--expose-gc',
    '--max-old-space-size=2048',
    compiledProbe,
    pipeline,
    path,
    String(rows),
  ]);
  const figures = JSON.parse(stdout) as ImportFigures;
  checkCount(pipeline, rows * 0.75, figures.inserted - figures.duplicates);
  if (figures.missing > 0) throw new Error(`${pipeline} missed ${figures.missing} rows.`);
  return figures;
}

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const rows = options.quick ? 20_000 : 2_000_000;
  const target = targetJudge(options);
  const folder = mkdtempSync(join(tmpdir(), 'rxjs-backpressure-bench-'));
  const compiledProbe = await compileAsShipped(probeSource);
  try {
    const path = join(folder, 'access.log');
    await writeLog(path, rows);
    const ours = await probe(compiledProbe, 'credit-stage', path, rows);
    const naive = await probe(compiledProbe, 'naive', path, rows);
    const describe = (figures: ImportFigures) =>
      `${(figures.milliseconds / 1000).toFixed(2)} s, peak heap +${formatBytes(figures.peakHeapBytes)}, RSS +${formatBytes(figures.peakRssBytes)}, ${figures.peakInFlight} in flight at the peak`;
    const rate = (figures: ImportFigures) => (figures.inserted * 1000) / figures.milliseconds;
    return [
      {
        name: `pullFrom + mergeMapWithCredits, ${rows.toLocaleString('en-US')} rows: ${describe(ours)}`,
        itemsPerSecond: rate(ours),
        ratio: target(
          `${concurrency} in flight throughout, heap under 50 MB`,
          `${ours.startsBelowPeak} of ${ours.batches} inserts started below ${concurrency}, peak ${ours.peakInFlight}, +${formatBytes(ours.peakHeapBytes)}`,
          ours.peakInFlight === concurrency && ours.startsBelowPeak === 0 && ours.peakHeapBytes < 50_000_000,
        ),
      },
      {
        name: `naive from(readline) + bufferCount + mergeMap(insert, 4): ${describe(naive)}`,
        itemsPerSecond: rate(naive),
        ratio: `ours takes ${factor(ours.milliseconds / naive.milliseconds)} its time, ${factor(ours.peakRssBytes / Math.max(1, naive.peakRssBytes))} its RSS growth`,
      },
    ];
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(compiledProbe, { force: true });
  }
}
