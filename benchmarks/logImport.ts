// Issue 13's scenario, shared by its test and its benchmark: a log file of a header and N rows, a
// quarter of them DEBUG lines, imported in batches of 100 by an asynchronous insert of 2 ms, at most 4
// at once. `credit-stage` reads the file only as the inserts go (pullFrom + mergeMapWithCredits); `naive`
// is what people write first: from(readline) + bufferCount + mergeMap(insert, 4).
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { bufferCount, filter, from, lastValueFrom, mergeMap, type Observable, toArray } from 'rxjs';
import { mergeMapWithCredits, pullFrom } from '../src/index.js';

export const header = 'id,level,message';
export const batchSize = 100;
export const concurrency = 4;
export const insertMs = 2;

/** Writes the header and `rows` rows to `path`; row `i` is a DEBUG line when `i % 4 === 0`. */
export async function writeLog(path: string, rows: number): Promise<void> {
  const file = createWriteStream(path);
  let chunk = `${header}\n`;
  for (let i = 0; i < rows; i++) {
    chunk += `${i},${i % 4 === 0 ? 'DEBUG' : 'INFO'},event number ${i}\n`;
    if (chunk.length > 65_536 || i === rows - 1) {
      if (!file.write(chunk)) await once(file, 'drain');
      chunk = '';
    }
  }
  file.end();
  await once(file, 'finish');
}

export type ImportPipeline = 'credit-stage' | 'naive';

/** What one import did. */
export interface ImportFigures {
  /** Rows inserted, duplicates included. */
  readonly inserted: number;
  /** Rows inserted more than once, and INFO rows never inserted. */
  readonly duplicates: number;
  readonly missing: number;
  readonly batches: number;
  /** The most inserts in flight at once. */
  readonly peakInFlight: number;
  /** Inserts that started with fewer than `concurrency` in flight, once `concurrency` had been reached. */
  readonly startsBelowPeak: number;
  /** Peak heapUsed and RSS above what they were before the import, sampled at every insert (bytes). */
  readonly peakHeapBytes: number;
  readonly peakRssBytes: number;
  readonly milliseconds: number;
}

const isRow = (line: string): boolean => line !== header && !line.includes(',DEBUG,');

/** Imports the log at `path`, which holds `rows` rows, through `pipeline`. */
export async function importLog(
  path: string,
  rows: number,
  pipeline: ImportPipeline,
): Promise<ImportFigures> {
  const seen = new Uint8Array(rows);
  let inFlight = 0;
  let peakInFlight = 0;
  let startsBelowPeak = 0;
  let inserted = 0;
  let duplicates = 0;
  const baseline = process.memoryUsage();
  let peakHeap = baseline.heapUsed;
  let peakRss = baseline.rss;
  const insert = async (batch: readonly string[]): Promise<number> => {
    inFlight++;
    if (peakInFlight === concurrency && inFlight < concurrency) startsBelowPeak++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    const memory = process.memoryUsage();
    peakHeap = Math.max(peakHeap, memory.heapUsed);
    peakRss = Math.max(peakRss, memory.rss);
    await new Promise((resolve) => setTimeout(resolve, insertMs));
    for (const line of batch) {
      const id = Number.parseInt(line, 10);
      if (seen[id] === 1) duplicates++;
      seen[id] = 1;
    }
    inserted += batch.length;
    inFlight--;
    return batch.length;
  };

  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let batches: Observable<number>;
  if (pipeline === 'credit-stage') {
    // One batch read ahead: it starts the moment an insert ends, even while the next read waits on the disk.
    const inserts = mergeMapWithCredits(insert, { concurrency, prefetch: 1 });
    batches = pullFrom(lines, inserts).pipe(filter(isRow), bufferCount(batchSize), inserts);
  } else {
    batches = from(lines).pipe(filter(isRow), bufferCount(batchSize), mergeMap(insert, concurrency));
  }
  const started = performance.now();
  const counts = await lastValueFrom(batches.pipe(toArray()));
  const milliseconds = performance.now() - started;
  let missing = 0;
  for (let id = 0; id < rows; id++) if (id % 4 !== 0 && seen[id] !== 1) missing++;
  return {
    inserted,
    duplicates,
    missing,
    batches: counts.length,
    peakInFlight,
    startsBelowPeak,
    peakHeapBytes: peakHeap - baseline.heapUsed,
    peakRssBytes: peakRss - baseline.rss,
    milliseconds,
  };
}
