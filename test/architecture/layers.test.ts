import { describe, expect, it } from 'vitest';
import {
  type ImportEdge,
  importCycles,
  importGraph,
  importsOf,
  type LayerOrder,
  layerViolations,
  type PackageRules,
  sourceRoot,
} from './importGraph.js';

/**
 * The layers of `src/`, from the leaf down (the README's "Design notes" → "Layers" draws the same).
 * A file imports from its own layer and from the groups above it; layers of one group do not import
 * each other. No upward import is allowed, not even a type-only one.
 */
const layers: LayerOrder = [
  ['core'],
  ['errors'],
  ['internal'],
  ['credits', 'monitor'],
  ['service', 'operators'],
  ['sources'],
  [''],
  ['testing', 'http', 'otel', 'redis'],
];

/** The leaf imports nothing outside itself but RxJS's types. */
const packages: PackageRules = {
  core: (edge) => edge.specifier === 'rxjs' && edge.typeOnly,
};

const graph = importGraph(sourceRoot);

describe('the layers of src/', () => {
  it('every import of src/ follows the layer order', () => {
    expect(graph.length).toBeGreaterThan(400);
    expect(layerViolations(graph, layers, packages)).toEqual([]);
  });

  it('every folder of src/ is a layer of the order, and every layer of the order exists', () => {
    const folders = new Set(graph.map((edge) => edge.from.split('/').slice(0, -1)[0] ?? ''));
    expect([...folders].sort()).toEqual(layers.flat().sort());
  });

  it('no imports go round in a cycle, type-only ones included', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});

describe('the layer check itself', () => {
  const fixture = (files: Record<string, string>): ImportEdge[] =>
    Object.entries(files).flatMap(([file, text]) => importsOf(file, text));

  it('catches a deliberate upward value import', () => {
    const edges = fixture({
      'core/DropReason.ts': `export type DropReason = 'overflow';`,
      'internal/Gate.ts': `import { requestCredits } from '../operators/requestCredits.js';\nexport class Gate {}`,
      'operators/requestCredits.ts': `import { Gate } from '../internal/Gate.js';\nexport const requestCredits = Gate;`,
    });
    expect(layerViolations(edges, layers)).toEqual([
      `internal/Gate.ts (layer 'internal') has a value import of operators/requestCredits.ts (layer 'operators', below it): '../operators/requestCredits.js'.`,
    ]);
    expect(importCycles(edges)).toEqual([
      ['internal/Gate.ts', 'operators/requestCredits.ts', 'internal/Gate.ts'],
    ]);
  });

  it('catches upward type-only imports, re-exports, import() and import types, and imports between siblings', () => {
    const edges = fixture({
      'monitor/FlowSnapshot.ts': `import type { CircuitState } from '../service/circuitBreaker.js';`,
      'internal/reexport.ts': `export { FlowMonitor } from '../monitor/FlowMonitor.js';`,
      'errors/lazy.ts': `export const load = () => import('../credits/CreditController.js');`,
      'core/Probe.ts': `export type Board = import('../monitor/ProbeBoard.js').ProbeBoard;`,
      'credits/sibling.ts': `import { FlowMonitor } from '../monitor/FlowMonitor.js';`,
    });
    expect(layerViolations(edges, layers).map((violation) => violation.split(' ')[0])).toEqual([
      'monitor/FlowSnapshot.ts',
      'internal/reexport.ts',
      'errors/lazy.ts',
      'core/Probe.ts',
      'credits/sibling.ts',
    ]);
    expect(layerViolations(edges, layers)[0]).toContain('a type-only import');
    expect(layerViolations(edges, layers)[4]).toContain('beside it');
  });

  it('lets imports downward and inside a layer through, and refuses a folder the order does not list', () => {
    const edges = fixture({
      'operators/withHandshake.ts': [
        `import { Gate } from '../internal/Gate.js';`,
        `import type { Service } from '../core/Service.js';`,
        `import { resultOrder } from './internal/resultOrder.js';`,
      ].join('\n'),
      'operators/internal/resultOrder.ts': `import { describeValue } from '../../core/validation.js';`,
      'misc/helper.ts': `import { Gate } from '../internal/Gate.js';`,
    });
    expect(layerViolations(edges, layers)).toEqual([
      `misc/helper.ts is in layer 'misc', which the layer order does not list.`,
    ]);
  });

  it('holds the leaf to type-only imports of RxJS', () => {
    const edges = fixture({
      'core/ok.ts': `import type { Observable } from 'rxjs';`,
      'core/value.ts': `import { asyncScheduler } from 'rxjs';`,
      'core/node.ts': `import type { Readable } from 'node:stream';`,
    });
    expect(layerViolations(edges, layers, packages)).toEqual([
      `core/value.ts has a value import of the package 'rxjs', which layer 'core' may not use.`,
      `core/node.ts has a type-only import of the package 'node:stream', which layer 'core' may not use.`,
    ]);
  });
});
