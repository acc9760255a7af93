import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const probe = fileURLToPath(new URL('./fastPropertiesProbe.ts', import.meta.url));
const constructions = 12;
/** V8 ends in-object slack tracking at the 7th construction; from the 8th on, the shape is final. */
const settledFrom = 7;

/** Whether each construction had fast properties: the over-budget control's, and each class's. */
interface ProbeReport {
  readonly control: boolean[];
  readonly classes: Record<string, boolean[]>;
}

/** Runs the probe in a fresh process. */
async function probeFastProperties(): Promise<ProbeReport> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--allow-natives-syntax',
    '--expose-gc',
    '--import',
    'tsx',
    probe,
    String(constructions),
  ]);
  return JSON.parse(stdout) as ProbeReport;
}

// The V8 fast-properties budget (README, "Design notes"): a class built per subscription or per call
// that turns into a dictionary-mode object makes every field access a hash lookup, 3-8x slower in a
// long-running process. Deterministic: it reads V8's own verdict, it times nothing.
describe('the fast-properties budget', () => {
  it('keeps every class built per subscription or per call fast from the 8th construction on, with a full GC between constructions', async () => {
    const { control, classes } = await probeFastProperties();
    // The probe still finds what it looks for: a class over the budget turns slow.
    expect(control.slice(settledFrom)).toEqual(new Array(constructions - settledFrom).fill(false));
    expect(Object.keys(classes).length).toBeGreaterThan(10);
    const slow = Object.entries(classes)
      .filter(([, fast]) => fast.length !== constructions || fast.slice(settledFrom).includes(false))
      .map(([name]) => name);
    expect(slow).toEqual([]);
  }, 30_000);
});
