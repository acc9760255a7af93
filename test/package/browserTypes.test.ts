import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// A browser project: no @types/node, the DOM library, and every declaration file checked.
const browserOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: [],
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  noEmit: true,
};

/**
 * Compiles `files` (name relative to the project root → text) as the browser project would, the built
 * package found by its own name; returns every diagnostic, formatted.
 */
function compile(files: Record<string, string>): string[] {
  const virtual = new Map(Object.entries(files).map(([name, text]) => [join(root, name), text]));
  const host = ts.createCompilerHost(browserOptions);
  const { fileExists, readFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
  const program = ts.createProgram([...virtual.keys()], browserOptions, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.formatDiagnostic(diagnostic, { ...host, getNewLine: () => '\n' }));
}

/** Every name the built main entry point exports, types included, as its declaration file lists them. */
function publicNames(declarations: string): string[] {
  const program = ts.createProgram([declarations], { ...browserOptions, noResolve: true });
  const source = program.getSourceFile(declarations);
  const module = source === undefined ? undefined : program.getTypeChecker().getSymbolAtLocation(source);
  if (module === undefined) throw new Error(`cannot read ${declarations}`);
  return program
    .getTypeChecker()
    .getExportsOfModule(module)
    .map((symbol) => symbol.getName());
}

/** A file of the browser project that imports every public name and hands each one on. */
function importingEveryName(names: readonly string[]): string {
  const list = names.join(', ');
  return `import type { ${list} } from 'rxjs-backpressure';\nexport type { ${list} };\n`;
}

describe("the built main entry point's types", () => {
  const declarations = join(root, 'dist/index.d.ts');
  const names = existsSync(declarations) ? publicNames(declarations) : [];

  it('are found, with every public name', () => {
    expect(names.length).toBeGreaterThan(60);
    expect(names).toContain('pullFrom');
    expect(names).toContain('PullSource');
  });

  it('compile in a browser project without @types/node, through import and require', () => {
    expect(
      compile({
        'test/package/browser.ts': importingEveryName(names),
        'test/package/browser.cts': importingEveryName(names),
      }),
    ).toEqual([]);
  });

  it('name no Node.js module and no NodeJS namespace', () => {
    for (const file of ['dist/index.d.ts', 'dist/index.d.cts']) {
      const text = readFileSync(join(root, file), 'utf8').replace(/\/\*\*[\s\S]*?\*\//g, '');
      expect(text).not.toMatch(/from 'node:|NodeJS\./);
    }
  });

  // The check above would pass vacuously if the project saw Node.js types after all.
  it('are checked in a project that really has no Node.js types', () => {
    const errors = compile({ 'test/package/node-only.ts': 'export type Stream = NodeJS.ReadableStream;\n' });
    expect(errors.join('\n')).toMatch(/Cannot find namespace 'NodeJS'/);
  });
});
