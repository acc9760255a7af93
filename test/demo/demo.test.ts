import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseDemoOptions } from '../../benchmarks/demo/demoOptions.js';
import { demoPhase } from '../../benchmarks/demo/demoPhase.js';

const chromiumPath = '/usr/bin/chromium';
// CI installs Debian's chromium (.ci/run); elsewhere the browser check runs only where it is installed.
const hasChromium = existsSync(chromiumPath);
const charts = ['throughput', 'age', 'in-flight', 'buffer', 'drops', 'breaker', 'heap'];
const duration = 4;

/**
 * Keeps both cores busy: a child process spinning on its main thread and one worker thread. It stops
 * by itself after `seconds` should the test never get to kill it.
 */
function busyCores(seconds: number): ChildProcess {
  const spin = `const end = Date.now() + ${seconds * 1000}; while (Date.now() < end);`;
  return spawn(
    process.execPath,
    ['-e', `new (require('node:worker_threads').Worker)(${JSON.stringify(spin)}, { eval: true }); ${spin}`],
    { stdio: 'ignore' },
  );
}

/** What the browser sees of one chart: its phase bands and, per series, the run's ms and x of each point. */
interface RenderedChart {
  readonly id: string;
  readonly width: number;
  readonly bands: { phase: string; from: number; to: number; left: number; right: number }[];
  readonly series: { label: string; times: number[]; xs: number[] }[];
}

describe('the demo', () => {
  it('parses its flags, with defaults that end in about 15 seconds', () => {
    expect(parseDemoOptions([])).toEqual({
      duration: 15,
      capacity: 8,
      strategy: 'buffer',
      latency: 40,
      rate: 4000,
      deadline: 1,
      report: undefined,
    });
    expect(
      parseDemoOptions([
        '--duration',
        '3',
        '--capacity=2',
        '--strategy',
        'drop',
        '--deadline',
        '0.5',
        '--report',
        'r.html',
      ]),
    ).toMatchObject({ duration: 3, capacity: 2, strategy: 'drop', deadline: 0.5, report: 'r.html' });
  });

  it.each([
    [['--duration', '-1'], "--duration must be a positive number of seconds, got '-1'."],
    [['--capacity', '1.5'], "--capacity must be a positive integer, got '1.5'."],
    [['--strategy', 'hope'], "--strategy must be one of buffer, drop, latest, error, got 'hope'."],
    [['--deadline', '0'], "--deadline must be a positive number of seconds, got '0'."],
    [['--speed', '3'], 'Unknown flag --speed.'],
    [['--latency'], '--latency needs a value.'],
  ])('refuses %j with a message naming the flag and the value', (argv, message) => {
    expect(() => parseDemoOptions(argv)).toThrow(message);
  });

  it('on a machine whose cores are both busy, runs both pipelines on one clock, accounts for every job and writes a report whose charts cover the whole run', {
    timeout: 120_000,
  }, async ({ annotate }) => {
    expect(hasChromium || process.env.CI === undefined).toBe(true);
    const folder = mkdtempSync(join(tmpdir(), 'rxjs-backpressure-demo-'));
    const report = join(folder, 'report.html');
    const busy = busyCores(90);
    let stdout: string;
    try {
      ({ stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'benchmarks/demo/main.ts', '--duration', String(duration), '--report', report],
        { cwd: join(import.meta.dirname, '../..') },
      ));
    } finally {
      busy.kill();
    }
    expect(stdout.match(/^t=\ds .*withHandshake: .*mergeMap: /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(stdout).toMatch(/^Summary after 4\.\d s/m);
    expect(stdout).toMatch(/waiting\s+[\d,]+ \(bounded\)\s+[\d,]+ \(unbounded\)/);
    expect(stdout).toMatch(/useful \(<= 1 s old\)\s+[\d,]+\s+[\d,]+/);
    // The conservation line of each pipeline, recomputed here from its printed terms.
    for (const pipeline of ['withHandshake', 'mergeMap']) {
      const line = new RegExp(
        `^ {2}${pipeline}: produced ([\\d,]+) = ([\\d,]+) \\+ ([\\d,]+) \\+ ([\\d,]+) \\+ ([\\d,]+) \\+ ([\\d,]+) \\(`,
        'm',
      ).exec(stdout);
      expect(line, `${pipeline}'s conservation line`).not.toBeNull();
      const [produced, ...parts] = (line as RegExpExecArray)
        .slice(1)
        .map((text) => Number(text.replaceAll(',', '')));
      expect(parts.reduce((total, part) => total + part, 0)).toBe(produced);
      expect(produced).toBeGreaterThan(1000);
    }
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\//);
    if (!hasChromium) return;

    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 820, height: 1200 } });
    try {
      await page.goto(`file://${report}`);
      const rows = await page.locator('table[data-samples] tr[data-at]').evaluateAll((cells) =>
        cells.map((row) => ({
          at: Number(row.getAttribute('data-at')),
          phase: row.getAttribute('data-phase'),
        })),
      );
      expect(rows.length).toBeGreaterThanOrEqual(2 * duration - 1);
      for (const row of rows)
        expect(row.phase, `sample at ${row.at} ms`).toBe(
          demoPhase(Math.min(row.at, duration * 1000 - 1), duration * 1000),
        );
      const phaseAt = new Map(rows.map((row) => [row.at, row.phase]));
      for (const id of charts) {
        const svg = page.locator(`svg[data-chart="${id}"]`);
        const box = await svg.boundingBox();
        expect(box?.width, `chart ${id} is laid out`).toBeGreaterThan(100);
        const chart: RenderedChart = await svg.evaluate((element) => ({
          id: element.getAttribute('data-chart') ?? '',
          width: element.getBoundingClientRect().width,
          bands: Array.from(element.querySelectorAll('rect[data-phase]'), (band) => {
            const left = Number(band.getAttribute('x'));
            return {
              phase: band.getAttribute('data-phase') ?? '',
              from: Number(band.getAttribute('data-from')),
              to: Number(band.getAttribute('data-to')),
              left,
              right: left + Number(band.getAttribute('width')),
            };
          }),
          series: Array.from(element.querySelectorAll('polyline'), (line) => ({
            label: line.getAttribute('data-series') ?? '',
            times: (line.getAttribute('data-times') ?? '').split(' ').filter(Boolean).map(Number),
            xs: (line.getAttribute('points') ?? '')
              .split(' ')
              .filter(Boolean)
              .map((point: string) => Number(point.split(',')[0])),
          })),
        }));
        expect(
          chart.bands.map((band) => band.phase),
          `chart ${id}'s phases`,
        ).toEqual(['steady', 'degraded', 'recovered']);
        expect(chart.series.length, `chart ${id} has lines`).toBeGreaterThan(0);
        // Data in every second of the run, from the first to the last (an interval with no success at
        // all leaves a gap in a line of ages, never in a whole chart).
        const seconds = new Set(
          chart.series.flatMap((series) => series.times.map((at) => Math.floor(at / 1000))),
        );
        for (let second = 0; second < duration; second++)
          expect(seconds.has(second), `chart ${id} has data in second ${second}`).toBe(true);
        for (const series of chart.series) {
          expect(series.xs.length, `${id}: ${series.label}`).toBe(series.times.length);
          series.times.forEach((at, index) => {
            // Each point is drawn on the band of the phase its sample was taken in.
            const x = series.xs[index] as number;
            const band = chart.bands.find(
              (candidate) =>
                x >= candidate.left - 0.5 &&
                x <= candidate.right + 0.5 &&
                at >= candidate.from &&
                at <= candidate.to,
            );
            expect(band?.phase, `${id}: ${series.label} at ${at} ms`).toBe(phaseAt.get(at));
          });
        }
      }
    } catch (error) {
      const screenshot = join(folder, 'report-failure.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      await annotate(`the report as rendered, in ${folder}`, { path: screenshot, contentType: 'image/png' });
      throw error;
    } finally {
      await browser.close();
    }
  });
});
