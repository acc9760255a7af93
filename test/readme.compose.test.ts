import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const markdown = readFileSync(join(root, 'README.md'), 'utf8');
const start = markdown.indexOf('## Composing pipelines');
const section = markdown.slice(start, markdown.indexOf('\n## ', start + 1));
const snippets = [...section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');

// The working directory is a temporary one, where `--import tsx` would not resolve.
const tsxLoader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
// Under node_modules, so the snippets' bare imports (rxjs) resolve to the project's packages.
const folder = join(root, 'node_modules', '.readme-compose');
const workingDirectory = mkdtempSync(join(tmpdir(), 'rxjs-backpressure-readme-'));
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
  rmSync(workingDirectory, { recursive: true, force: true });
});

/** What each snippet of the section prints last, in order: skip a header, filter, batch, one-to-many. */
const lastLines = ['all rows saved', '750 lines shipped', '7500 rows inserted', '300 items reserved'];

describe('README "Composing pipelines"', () => {
  it('shows the four shapes', () => {
    expect(snippets).toHaveLength(lastLines.length);
  });

  snippets.forEach((code, index) => {
    it(`snippet ${index + 1} runs as a program and prints ${lastLines[index]}`, async () => {
      mkdirSync(folder, { recursive: true });
      const file = join(folder, `snippet-${index + 1}.ts`);
      const library = pathToFileURL(join(root, 'src', 'index.ts')).href;
      writeFileSync(file, code.replaceAll("from 'rxjs-backpressure'", `from '${library}'`));
      // The batch snippet reads a real file: a header and 10,000 rows, a quarter of them DEBUG lines.
      const rows = Array.from({ length: 10_000 }, (_, i) => `${i},${i % 4 === 0 ? 'DEBUG' : 'INFO'}`);
      writeFileSync(join(workingDirectory, 'events.csv'), ['id,level', ...rows].join('\n'));
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsxLoader, file], {
        cwd: workingDirectory,
        timeout: 20_000,
      });
      expect(stdout.trim().split('\n').at(-1)).toBe(lastLines[index]);
    }, 30_000);
  });
});
