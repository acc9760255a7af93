import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseDemoOptions } from '../../benchmarks/demo/demoOptions.js';

const chromiumPath = '/usr/bin/chromium';
// CI installs Debian's chromium (.ci/run); elsewhere the browser check runs only where it is installed.
const hasChromium = existsSync(chromiumPath);
const charts = ['throughput', 'in-flight', 'buffer', 'drops', 'breaker', 'heap'];

describe('the demo', () => {
  it('parses its flags, with defaults that end in about 15 seconds', () => {
    expect(parseDemoOptions([])).toEqual({
      duration: 15,
      capacity: 8,
      strategy: 'buffer',
      latency: 40,
      rate: 4000,
      report: undefined,
    });
    expect(
      parseDemoOptions(['--duration', '3', '--capacity=2', '--strategy', 'drop', '--report', 'r.html']),
    ).toMatchObject({ duration: 3, capacity: 2, strategy: 'drop', report: 'r.html' });
  });

  it.each([
    [['--duration', '-1'], "--duration must be a positive number of seconds, got '-1'."],
    [['--capacity', '1.5'], "--capacity must be a positive integer, got '1.5'."],
    [['--strategy', 'hope'], "--strategy must be one of buffer, drop, latest, error, got 'hope'."],
    [['--speed', '3'], 'Unknown flag --speed.'],
    [['--latency'], '--latency needs a value.'],
  ])('refuses %j with a message naming the flag and the value', (argv, message) => {
    expect(() => parseDemoOptions(argv)).toThrow(message);
  });

  it('runs both pipelines, prints a line a second and a summary, and writes a report whose charts all render', {
    timeout: 60_000,
  }, async () => {
    expect(hasChromium || process.env.CI === undefined).toBe(true);
    const folder = mkdtempSync(join(tmpdir(), 'rxjs-backpressure-demo-'));
    const report = join(folder, 'report.html');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'benchmarks/demo/main.ts', '--duration', '3', '--report', report],
      { cwd: join(import.meta.dirname, '../..') },
    );
    expect(stdout.match(/^t=\ds .*withHandshake: .*mergeMap: /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(stdout).toContain('Summary after');
    expect(stdout).toMatch(/waiting\s+[\d,]+ \(bounded\)\s+[\d,]+ \(unbounded\)/);
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
      for (const chart of charts) {
        const svg = page.locator(`svg[data-chart="${chart}"]`);
        const box = await svg.boundingBox();
        expect(box?.width, `chart ${chart} is laid out`).toBeGreaterThan(100);
        const points = await svg
          .locator('polyline')
          .evaluateAll((lines) => lines.map((line) => Number(line.getAttribute('data-points'))));
        expect(points.length, `chart ${chart} has lines`).toBeGreaterThan(0);
        for (const count of points) expect(count, `chart ${chart} has data`).toBeGreaterThanOrEqual(4);
      }
    } catch (error) {
      await page.screenshot({ path: join(folder, 'report-failure.png'), fullPage: true });
      throw new Error(`The report did not render; screenshot in ${folder}`, { cause: error });
    } finally {
      await browser.close();
    }
  });
});
