import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** One import of a module by another: `import`, `export … from`, `import()` or an `import('…')` type. */
export interface ImportEdge {
  /** The importing file, relative to the source root, with `/` separators (`operators/withHandshake.ts`). */
  readonly from: string;
  /** The module named, as written (`../core/DropReason.js`, `rxjs`). */
  readonly specifier: string;
  /** For a relative specifier, the imported file relative to the source root; otherwise `undefined`. */
  readonly to: string | undefined;
  /** `import type` / `export type` (or an `import('…')` type), which the build erases. */
  readonly typeOnly: boolean;
}

/**
 * The imports of one file. Only `import type` / `export type` count as type-only: under
 * `verbatimModuleSyntax` an `import { type A }` stays in the output as a side-effect import.
 */
export function importsOf(file: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean): void => {
    const to = specifier.startsWith('.')
      ? posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts')
      : undefined;
    edges.push({ from: file, specifier, to, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.importClause?.isTypeOnly === true);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Every import of every `.ts` file under `root`, the files named relative to `root`. */
export function importGraph(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        edges.push(...importsOf(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8')));
      }
    }
  };
  walk(root);
  return edges;
}

/**
 * The layers, from the leaf down: a file may import from its own layer and from the groups above its
 * own, never from a later group nor from another layer of its own group. A layer is the first folder
 * under the source root; files at the root (the public barrel) form the layer `''`.
 */
export type LayerOrder = readonly (readonly string[])[];

/** What each layer may import from outside the source root; a layer not listed may import any package. */
export type PackageRules = Readonly<Record<string, (edge: ImportEdge) => boolean>>;

export function layerOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? '' : file.slice(0, slash);
}

/** Every import that breaks the order, one sentence each; empty when the graph obeys it. */
export function layerViolations(
  edges: readonly ImportEdge[],
  order: LayerOrder,
  packages: PackageRules = {},
): string[] {
  const rank = new Map<string, number>();
  order.forEach((group, index) => {
    for (const layer of group) rank.set(layer, index);
  });
  const violations: string[] = [];
  const kind = (edge: ImportEdge): string => (edge.typeOnly ? 'a type-only import' : 'a value import');
  for (const edge of edges) {
    const from = layerOf(edge.from);
    const fromRank = rank.get(from);
    if (fromRank === undefined) {
      violations.push(`${edge.from} is in layer '${from}', which the layer order does not list.`);
      continue;
    }
    if (edge.to === undefined) {
      const allowed = packages[from];
      if (allowed !== undefined && !allowed(edge)) {
        violations.push(
          `${edge.from} has ${kind(edge)} of the package '${edge.specifier}', which layer '${from}' may not use.`,
        );
      }
      continue;
    }
    const to = layerOf(edge.to);
    if (to === from) continue;
    const toRank = rank.get(to);
    if (toRank === undefined || toRank >= fromRank) {
      const where =
        toRank === undefined ? 'outside the layer order' : toRank === fromRank ? 'beside it' : 'below it';
      violations.push(
        `${edge.from} (layer '${from}') has ${kind(edge)} of ${edge.to} (layer '${to}', ${where}): '${edge.specifier}'.`,
      );
    }
  }
  return violations;
}

/** The import cycles among files (each once, as a path that starts and ends at the same file). */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.to === undefined) continue;
    const targets = next.get(edge.from) ?? [];
    targets.push(edge.to);
    next.set(edge.from, targets);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  // Depth-first with an explicit stack of iterators: the graph is small, but the walk stays flat.
  for (const start of next.keys()) {
    if (state.has(start)) continue;
    const iterators: Iterator<string>[] = [];
    const enter = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      iterators.push((next.get(file) ?? [])[Symbol.iterator]());
    };
    enter(start);
    while (iterators.length > 0) {
      const step = iterators[iterators.length - 1]?.next();
      if (step === undefined || step.done) {
        const file = stack.pop();
        if (file !== undefined) state.set(file, 'done');
        iterators.pop();
        continue;
      }
      const target = step.value;
      const seen = state.get(target);
      if (seen === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target]);
      else if (seen === undefined) enter(target);
    }
  }
  return cycles;
}

/** The directory of this project's sources. */
export const sourceRoot = join(dirname(fileURLToPath(import.meta.url)), '../../src');
