import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

// Under node_modules, so the bundle's bare imports (rxjs, the peers) resolve to the project's packages.
const outputFolder = fileURLToPath(
  new URL('../node_modules/.cache/rxjs-backpressure-benchmarks/', import.meta.url),
);

/**
 * Bundles `entry` with the library source it imports into one ESM file (packages stay external) the
 * way tsup builds the package: esbuild (tsup's own copy) without `keepNames`, and returns its path.
 *
 * Why: `npm run bench` runs under tsx, which compiles with `keepNames`, so every closure created per
 * call pays an `Object.defineProperty(fn, 'name')`. That is not the shipped code: under tsx,
 * withHandshake over a TrackedService measured 1.6-1.9x mergeMap's time where the built code takes
 * 0.55-0.65x, and it taxes any peer wrapped in a per-item closure in a benchmark file.
 * The file name carries the pid, so runs in parallel (`npm test` beside `npm run bench`) never share one.
 * `import.meta.url` keeps naming `entry`, so benchmark files find their neighbours (every module that
 * reads it sits in benchmarks/, beside `entry`).
 */
export async function compileAsShipped(entry: string): Promise<string> {
  const outfile = join(outputFolder, `${basename(entry, '.ts')}.${process.pid}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(entry).href) },
  });
  return outfile;
}
