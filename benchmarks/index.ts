// `npm run bench` (full) and `npm run bench -- --quick` (small N): runs every *.bench.ts file in
// benchmarks/ (or those whose names contain an argument), prints one aligned table per file, then
// which targets are met. Speed never fails the run; a benchmark that throws (a wrong item count, a
// crash) does, after the others have run.
import { basename } from 'node:path';
import { benchmarkFiles, loadBenchmark } from './benchmarkFiles.js';
import { type BenchmarkRow, targetMet, targetMissed } from './harness.js';

function formatRate(itemsPerSecond: number): string {
  if (!Number.isFinite(itemsPerSecond) || itemsPerSecond <= 0) return '-';
  return `${Math.round(itemsPerSecond).toLocaleString('en-US')}/s`;
}

function table(rows: readonly BenchmarkRow[]): string {
  const cells = [
    ['benchmark', 'items/s', 'ratio'],
    ...rows.map((row) => [row.name, formatRate(row.itemsPerSecond), row.ratio ?? '']),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...cells.map((line) => line[column]?.length ?? 0)));
  const [nameWidth = 0, rateWidth = 0] = widths;
  const lines = cells.map(
    ([name = '', rate = '', ratio = '']) =>
      `${name.padEnd(nameWidth)}  ${rate.padStart(rateWidth)}  ${ratio}`,
  );
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  return lines.map((line) => line.trimEnd()).join('\n');
}

const flags = process.argv.slice(2);
const quick = flags.includes('--quick');
// Any other argument picks files by name: `npm run bench -- memory` runs memory.bench.ts only.
const picked = flags.filter((flag) => !flag.startsWith('--'));
const files = benchmarkFiles().filter(
  (file) => picked.length === 0 || picked.some((name) => basename(file).includes(name)),
);
const missed: string[] = [];
let met = 0;
let failed = 0;
console.log(`rxjs-backpressure benchmarks (${quick ? 'quick' : 'full'}), Node ${process.version}`);
for (const file of files) {
  const title = basename(file, '.bench.ts');
  console.log(`\n## ${title}\n`);
  const started = performance.now();
  try {
    const run = await loadBenchmark(file);
    const rows = await run({ quick });
    console.log(table(rows));
    for (const row of rows) {
      if (row.ratio?.endsWith(targetMet)) met++;
      if (row.ratio?.endsWith(targetMissed)) missed.push(`${title}: ${row.name}: ${row.ratio}`);
    }
  } catch (error) {
    failed++;
    console.error(error);
  }
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
console.log(
  quick ? '\nTargets are judged in full runs only.' : `\nTargets: ${met} met, ${missed.length} not met.`,
);
for (const line of missed) console.log(`  ${targetMissed} ${line}`);
if (failed > 0) {
  console.error(`${failed} benchmark file(s) failed.`);
  process.exitCode = 1;
}
