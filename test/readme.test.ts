import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The fenced `ts` blocks of the README, with the line each starts on. */
function snippets(markdown: string): { line: number; code: string }[] {
  const found: { line: number; code: string }[] = [];
  const fence = /^```ts\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence)) {
    const line = markdown.slice(0, match.index).split('\n').length;
    found.push({ line, code: match[1] ?? '' });
  }
  return found;
}

describe('README', () => {
  const markdown = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = snippets(markdown);

  it('has the two Quick start commands', () => {
    expect(markdown).toContain('npm ci && npm run demo');
    expect(markdown).toContain('npm ci && npm test');
  });

  it('has TypeScript snippets, and every one of them type-checks against the source', () => {
    expect(blocks.length).toBeGreaterThan(0);
    const folder = join(root, 'node_modules', '.readme-snippets');
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    const files = blocks.map((block) => {
      const file = join(folder, `readme-line-${block.line}.ts`);
      // Each snippet is its own module, so two snippets may declare the same names.
      writeFileSync(file, `${block.code}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      baseUrl: root,
      paths: {
        'rxjs-backpressure': ['src/index.ts'],
        'rxjs-backpressure/testing': ['src/testing/index.ts'],
        'rxjs-backpressure/http': ['src/http/index.ts'],
        'rxjs-backpressure/otel': ['src/otel/index.ts'],
        'rxjs-backpressure/redis': ['src/redis/index.ts'],
      },
    });
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      if (diagnostic.file === undefined || diagnostic.start === undefined) return text;
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      const name = diagnostic.file.fileName.replace(`${folder}/`, '');
      return `${name} (+${line} lines): ${text}`;
    });
    rmSync(folder, { recursive: true, force: true });
    expect(problems).toEqual([]);
  }, 60_000);
});
