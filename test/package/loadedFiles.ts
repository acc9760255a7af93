import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `file` and every built file it loads by relative path (the shared chunks of a split build), in the
 * order found. Imports of packages, this one by name included, are not followed.
 */
export function loadedFiles(file: string): string[] {
  const found = [file];
  for (let index = 0; index < found.length; index++) {
    const current = found[index] as string;
    const text = readFileSync(current, 'utf8');
    for (const match of text.matchAll(/(?:from |import |require\()['"](\.\.?\/[^'"]+)['"]/g)) {
      const loaded = resolve(dirname(current), match[1] as string);
      if (!found.includes(loaded)) found.push(loaded);
    }
  }
  return found;
}

/** The source modules bundled into `file` itself, by the `// src/…` line esbuild puts before each. */
export function bundledModules(file: string): Set<string> {
  return new Set(readFileSync(file, 'utf8').match(/^\/\/ src\/\S+\.ts$/gm) ?? []);
}
