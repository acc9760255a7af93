import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledModules, loadedFiles } from './loadedFiles.js';

const require = createRequire(import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, unknown>;
};
// Every secondary entry point the package declares, so a new one is checked as soon as it is added.
const secondary = Object.keys(manifest.exports)
  .filter((subpath) => subpath !== '.' && subpath !== './package.json')
  .map((subpath) => `rxjs-backpressure${subpath.slice(1)}`);

const builds = [
  ['import', (specifier: string) => fileURLToPath(import.meta.resolve(specifier))],
  ['require', (specifier: string) => require.resolve(specifier)],
] as const;

/** Every class a file defines, as esbuild writes one: `var Name = class …`. */
function definedClasses(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^var (\w+) = class\b/gm)].map(
    (match) => match[1] as string,
  );
}

describe.each(builds)('the %s build', (_condition, resolveEntry) => {
  const main = loadedFiles(resolveEntry('rxjs-backpressure'));
  const mainModules = new Set(main.flatMap((file) => [...bundledModules(file)]));

  it('marks the source modules of the main entry point (or the checks below prove nothing)', () => {
    expect(secondary.length).toBeGreaterThanOrEqual(3);
    expect(mainModules.size).toBeGreaterThan(30);
    expect(mainModules).toContain('// src/errors/BackpressureError.ts');
    expect(mainModules).toContain('// src/internal/describeValue.ts');
  });

  // Node.js modules may appear without their node: prefix in a build, so list what is loaded instead.
  it('loads no package but rxjs from the main entry point or its chunks', () => {
    const packages = main.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:from |import |require\()['"]([^.'"][^'"]*)['"]/g)].map(
        (match) => match[1],
      ),
    );
    expect(packages).toContain('rxjs');
    expect(new Set(packages)).toEqual(new Set(['rxjs']));
  });

  it.each(secondary)('of %s carries no copy of code of the main entry point', (specifier) => {
    const entry = resolveEntry(specifier);
    const own = [...bundledModules(entry)];
    expect(own.length).toBeGreaterThan(0);
    expect(own.filter((module) => mainModules.has(module))).toEqual([]);
    // What it shares with the main entry point it loads from the same files the main entry point loads.
    const shared = loadedFiles(entry).filter((file) => file !== entry && !main.includes(file));
    expect(
      shared.flatMap((file) => [...bundledModules(file)].filter((module) => mainModules.has(module))),
    ).toEqual([]);
  });

  it.each(secondary)('loaded with the main entry point, defines each class once (%s)', (specifier) => {
    const files = new Set([...main, ...loadedFiles(resolveEntry(specifier))]);
    const classes = [...files].flatMap(definedClasses);
    expect(classes).toContain('BackpressureError');
    expect(classes.filter((name, index) => classes.indexOf(name) !== index)).toEqual([]);
  });
});
