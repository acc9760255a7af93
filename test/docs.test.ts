import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entryPoints = [
  'src/index.ts',
  'src/testing/index.ts',
  'src/http/index.ts',
  'src/otel/index.ts',
  'src/redis/index.ts',
];

/** Every public name of every entry point, with whether its declaration's TSDoc has an example. */
function publicDocs(): { entry: string; name: string; documented: boolean; example: boolean }[] {
  const files = entryPoints.map((entry) => join(root, entry));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    paths: { 'rxjs-backpressure': [join(root, 'src/index.ts')] },
  });
  const checker = program.getTypeChecker();
  const found: { entry: string; name: string; documented: boolean; example: boolean }[] = [];
  for (const entry of entryPoints) {
    const source = program.getSourceFile(join(root, entry));
    if (source === undefined) throw new Error(`cannot read ${entry}`);
    const module = checker.getSymbolAtLocation(source);
    for (const exported of module === undefined ? [] : checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = symbol.getDeclarations() ?? [];
      // Names re-exported from the main entry point are documented there.
      if (
        declarations.some(
          (declaration) => !declaration.getSourceFile().fileName.startsWith(join(root, 'src')),
        )
      )
        continue;
      const tags = declarations.flatMap((declaration) => ts.getJSDocTags(declaration));
      const comments = declarations.flatMap((declaration) => ts.getJSDocCommentsAndTags(declaration));
      found.push({
        entry,
        name: exported.getName(),
        documented: comments.length > 0,
        example: tags.some((tag) => tag.tagName.text === 'example'),
      });
    }
  }
  return found;
}

describe('the public surface', () => {
  const docs = publicDocs();

  it('is found in every entry point', () => {
    expect(docs.length).toBeGreaterThan(40);
  });

  it('has TSDoc on every public name', () => {
    expect(docs.filter((doc) => !doc.documented).map((doc) => `${doc.entry}: ${doc.name}`)).toEqual([]);
  });

  it('names every public name in the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const missing = docs.filter((doc) => !new RegExp(`\\b${doc.name}\\b`).test(readme));
    expect(missing.map((doc) => `${doc.entry}: ${doc.name}`)).toEqual([]);
  });

  it('has an example in the TSDoc of every public name', () => {
    expect(docs.filter((doc) => !doc.example).map((doc) => `${doc.entry}: ${doc.name}`)).toEqual([]);
  });
});
