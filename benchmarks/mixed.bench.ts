// Issue 12's benchmark: the figures of a long-running process. Every case of mixedCases.ts runs in one
// process (the package bundled as it ships), one after another, on fresh subscriptions, with a full GC
// before every repetition; its figure is the median of its last repetitions, never the best. Beside it,
// the same case alone in a fresh process: the gap is what running many pipelines costs. The ratios of
// issue 12's target table are taken between figures of the same mixed run.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compileAsShipped } from './compileAsShipped.js';
import { type BenchmarkOptions, type BenchmarkRow, factor, targetJudge } from './harness.js';
import { caseNames, fullSizes, mixedCases, quickSizes } from './mixedCases.js';

const probeSource = fileURLToPath(new URL('./mixedProbe.ts', import.meta.url));
/** The target of every case: its mixed figure within this factor of its fresh-process figure. */
const mixedWithinFresh = 1.5;

type Figures = Record<string, number>;

function isFigures(value: unknown): value is Figures {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((figure) => typeof figure === 'number' && figure > 0)
  );
}

async function probe(compiledProbe: string, mode: 'quick' | 'full', only?: string): Promise<Figures> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', compiledProbe, mode, ...(only === undefined ? [] : [only])],
    { maxBuffer: 1 << 20 },
  );
  const figures: unknown = JSON.parse(stdout);
  if (!isFigures(figures)) throw new Error(`The mixed probe printed ${stdout}`);
  return figures;
}

function rate(figures: Figures, name: string): number {
  const figure = figures[name];
  if (figure === undefined) throw new Error(`The mixed probe did not measure ${name}.`);
  return figure;
}

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const mode = options.quick ? 'quick' : 'full';
  const names = mixedCases(options.quick ? quickSizes : fullSizes).map((mixedCase) => mixedCase.name);
  const target = targetJudge(options);
  const compiledProbe = await compileAsShipped(probeSource);
  try {
    const mixed = await probe(compiledProbe, mode);
    // A quick run checks the item counts of every case in the mixed process; fresh processes would only
    // add time.
    const fresh: Figures = {};
    if (!options.quick) {
      for (const name of names) fresh[name] = rate(await probe(compiledProbe, mode, name), name);
    }
    const rows: BenchmarkRow[] = names.map((name) => {
      const alone = fresh[name];
      if (alone === undefined) return { name, itemsPerSecond: rate(mixed, name) };
      const slowdown = alone / rate(mixed, name);
      return {
        name: `${name} (alone: ${(alone / 1e6).toFixed(1)}M/s)`,
        itemsPerSecond: rate(mixed, name),
        ratio: target(
          `mixed within ${mixedWithinFresh}x of alone`,
          factor(slowdown),
          slowdown <= mixedWithinFresh,
        ),
      };
    });
    const timeOver = (ours: string, peer: string): number => rate(mixed, peer) / rate(mixed, ours);
    const judged = (label: string, ours: string, peer: string, limit: number): BenchmarkRow => {
      const ratio = timeOver(ours, peer);
      return {
        name: `time ratio, mixed: ${label}`,
        itemsPerSecond: rate(mixed, ours),
        ratio: target(`target ≤ ${limit}x`, factor(ratio), ratio <= limit),
      };
    };
    rows.push(
      judged('unbounded credit / map', caseNames.unbounded, caseNames.map, 1.2),
      judged('grant(256) / map', caseNames.grant(256), caseNames.map, 1.5),
      judged('grant(1) / map', caseNames.grant(1), caseNames.map, 2),
      ...[1, 16, 256].map((batch) =>
        judged(
          `grant(${batch}) / rsocket-flowable request(${batch})`,
          caseNames.grant(batch),
          caseNames.flowable(batch),
          1,
        ),
      ),
      judged('withHandshake / mergeMap, capacity 16', caseNames.withHandshake, caseNames.mergeMap, 0.8),
      judged('pullFrom(array) / from(array)', caseNames.pullFrom, caseNames.from, 1.25),
    );
    return rows;
  } finally {
    rmSync(compiledProbe, { force: true });
  }
}
