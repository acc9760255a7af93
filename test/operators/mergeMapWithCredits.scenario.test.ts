import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concurrency, importLog, writeLog } from '../../benchmarks/logImport.js';

// Issue 13's log import, on a real file read through node:readline. The full 2,000,001 lines run in
// benchmarks/compose.bench.ts beside the naive pipeline; 200,001 keep the suite quick.
const rows = 200_000;
const folder = mkdtempSync(join(tmpdir(), 'rxjs-backpressure-compose-'));
const path = join(folder, 'access.log');

beforeAll(() => writeLog(path, rows));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('a log imported through pullFrom and mergeMapWithCredits', () => {
  it('inserts every data row exactly once, header and DEBUG lines skipped, with 4 inserts in flight for the whole run and a flat heap', async () => {
    const figures = await importLog(path, rows, 'credit-stage');
    expect(figures.inserted).toBe(rows * 0.75);
    expect(figures.duplicates).toBe(0);
    expect(figures.missing).toBe(0);
    expect(figures.peakInFlight).toBe(concurrency);
    expect(figures.startsBelowPeak).toBe(0);
    expect(figures.peakHeapBytes).toBeLessThan(50_000_000);
  }, 60_000);
});
