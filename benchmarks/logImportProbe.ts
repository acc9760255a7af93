// The child process of compose.bench.ts: `node --expose-gc logImportProbe <pipeline> <path> <rows>`
// imports the log once in a fresh process, so each pipeline's heap and RSS are its own, and prints its
// figures as one JSON line.
import { importLog } from './logImport.js';

const [pipeline, path, rows] = process.argv.slice(2);
if (pipeline !== 'credit-stage' && pipeline !== 'naive')
  throw new TypeError(`Unknown pipeline ${String(pipeline)}.`);
if (path === undefined) throw new TypeError('The log file is missing.');
globalThis.gc?.();
const figures = await importLog(path, Number(rows), pipeline);
process.stdout.write(`${JSON.stringify(figures)}\n`);
