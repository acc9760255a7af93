import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsxLoader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const library = pathToFileURL(join(root, 'src', 'index.ts')).href;
// Under node_modules, so the programs' bare imports (rxjs) resolve to the project's packages.
const folder = join(root, 'node_modules', '.stall-programs');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface Outcome {
  code: number;
  stdout: string;
  /** The library's lines on stderr. */
  warnings: string[];
  /** Milliseconds from the pipeline's start to the moment the event loop emptied. */
  stalledAfter: number;
}

/** Runs `body` as a program of its own (top-level await allowed) and reports how it ended. */
function runProgram(name: string, body: string, env: Record<string, string> = {}): Promise<Outcome> {
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${name}.mts`);
  writeFileSync(
    file,
    [
      `import { CreditController, mergeMapWithCredits, pullFrom, requestCredits, toAsyncIterable } from '${library}';`,
      `import { filter, mergeMap, of } from 'rxjs';`,
      'const startedAt = performance.now();',
      'let ended = false;',
      `process.on('beforeExit', () => { if (!ended) process.stderr.write(\`emptied \${Math.round(performance.now() - startedAt)}\\n\`); ended = true; });`,
      'function* lines(count: number) {',
      "  for (let i = 0; i < count; i++) yield (i % 4 === 0 ? 'DEBUG ' : 'INFO ') + i;",
      '}',
      'void [CreditController, mergeMapWithCredits, pullFrom, requestCredits, toAsyncIterable, filter, mergeMap, of];',
      body,
    ].join('\n'),
  );
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      ['--import', tsxLoader, file],
      { env: { ...process.env, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const lines = stderr.split('\n');
        const emptied = lines.find((line) => line.startsWith('emptied '));
        resolvePromise({
          code: typeof error?.code === 'number' ? error.code : 0,
          stdout,
          warnings: lines.filter((line) => line.startsWith('rxjs-backpressure: ')),
          stalledAfter: Number(emptied?.slice('emptied '.length) ?? Number.NaN),
        });
      },
    );
  });
}

const handMadeLoop = `
const credits = new CreditController({ initial: 4 });
pullFrom(lines(1_000), credits)
  .pipe(
    filter((line) => !line.startsWith('DEBUG')),
    mergeMap(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      credits.grant(1);
    }),
  )
  .subscribe({ complete: () => console.log('complete') });
`;

describe('the stall warning when the event loop empties', () => {
  it('names pullFrom, what it waits for and the likely cause when a filter broke a hand-made loop, in one line within a second', async () => {
    const outcome = await runProgram('hand-made-loop', handMadeLoop);
    expect(outcome.stdout).not.toContain('complete');
    expect(outcome.code).toBe(0);
    expect(outcome.warnings).toHaveLength(1);
    expect(outcome.warnings[0]).toMatch(/pullFrom stalled: its source has not ended and it has no credit/);
    expect(outcome.warnings[0]).toMatch(/drop or merge items \(filter, skip, bufferCount\)/);
    expect(outcome.warnings[0]).toMatch(/mergeMapWithCredits/);
    expect(outcome.warnings[0]).toMatch(/RXJS_BACKPRESSURE_STALL_WARNING=off/);
    expect(outcome.stalledAfter).toBeLessThan(1_000);
  }, 30_000);

  it('is silenced by RXJS_BACKPRESSURE_STALL_WARNING=off', async () => {
    const outcome = await runProgram('silenced', handMadeLoop, { RXJS_BACKPRESSURE_STALL_WARNING: 'off' });
    expect(outcome.stdout).not.toContain('complete');
    expect(outcome.warnings).toEqual([]);
  }, 30_000);

  it('names both pullFrom and toAsyncIterable when a loop waits on a pipeline that counts credits through a filter', async () => {
    const outcome = await runProgram(
      'for-await',
      `
const items = toAsyncIterable((credits) => pullFrom(lines(100), credits.credits$).pipe(filter((line) => line.startsWith('DEBUG'))));
let taken = 0;
for await (const _line of items) taken++;
console.log('complete', taken);
`,
    );
    expect(outcome.stdout).not.toContain('complete');
    expect(outcome.code).toBe(13); // Node's code for a top-level await that never settles
    expect(outcome.warnings.map((line) => line.replace(/stalled:.*/, 'stalled')).sort()).toEqual([
      'rxjs-backpressure: pullFrom stalled',
      'rxjs-backpressure: toAsyncIterable stalled',
    ]);
  }, 30_000);

  it('names requestCredits and the items it holds without credit, even when nothing references it any more and a full GC ran', async () => {
    const outcome = await runProgram(
      'unreferenced',
      `
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
of(1, 2, 3).pipe(requestCredits(new CreditController({ initial: 1 }))).subscribe();
setTimeout(() => gc(), 10);
`,
    );
    expect(outcome.warnings).toHaveLength(1);
    expect(outcome.warnings[0]).toMatch(
      /requestCredits stalled: it holds 2 items in its buffer and no credit/,
    );
  }, 30_000);

  it('says nothing for the same pipelines when the loop closes through a stage, one-to-many and drop-all steps included, nor for a bridge left with items nobody asked for', async () => {
    const outcome = await runProgram(
      'closed-loops',
      `
const stage = mergeMapWithCredits(async (line: string) => line, { concurrency: 4 });
pullFrom(lines(1_000), stage).pipe(filter((line) => !line.startsWith('DEBUG')), stage).subscribe({ complete: () => console.log('filter complete') });
const none = mergeMapWithCredits(async (line: string) => line, { concurrency: 4 });
pullFrom(lines(5_000), none).pipe(filter(() => false), none).subscribe({ complete: () => console.log('drop-all complete') });
const triple = mergeMapWithCredits((line: string) => of(line, line, line), { concurrency: 2 });
let results = 0;
pullFrom(lines(100), triple).pipe(triple).subscribe({ next: () => results++, complete: () => console.log('one-to-many complete', results) });
let taken = 0;
for await (const _line of toAsyncIterable((credits) => pullFrom(lines(100), credits).pipe(filter((line) => line.startsWith('DEBUG'))))) taken++;
console.log('for-await complete', taken);
// A loop that took one item and left: what the bridge still holds is nobody's stall.
const abandoned = toAsyncIterable(of(1, 2, 3));
await abandoned.next();
`,
    );
    expect(outcome.warnings).toEqual([]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('filter complete');
    expect(outcome.stdout).toContain('drop-all complete');
    expect(outcome.stdout).toContain('one-to-many complete 300');
    expect(outcome.stdout).toContain('for-await complete 25');
  }, 30_000);
});
