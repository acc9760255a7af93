import type { DemoPhase, DemoSample } from './DemoSample.js';
import { droppedTotal } from './DemoSample.js';
import type { DemoOptions } from './demoOptions.js';

interface Series {
  readonly label: string;
  readonly color: string;
  /** One value per sample; undefined where the sample has none (no job succeeded in its interval). */
  readonly values: readonly (number | undefined)[];
  readonly dashed?: boolean;
}

interface Chart {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly series: readonly Series[];
  /** A logarithmic y axis, for values that span several orders of magnitude (ages). */
  readonly log?: boolean;
  /** A horizontal rule at this value, labelled. */
  readonly rule?: { readonly value: number; readonly label: string };
}

const width = 760;
const height = 220;
const margin = { top: 16, right: 16, bottom: 28, left: 64 };
const phases: readonly DemoPhase[] = ['steady', 'degraded', 'recovered'];
const phaseColors: Record<DemoPhase, string> = {
  steady: '#ffffff',
  degraded: '#fdecea',
  recovered: '#eef7ee',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function formatNumber(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(0)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** A y axis: where a value goes (0 at the bottom, 1 at the top) and the values to label. */
function yAxis(chart: Chart): { position: (value: number) => number; ticks: number[] } {
  const values = chart.series.flatMap((series) => series.values.filter((value) => value !== undefined));
  const highest = Math.max(0, chart.rule?.value ?? 0, ...values);
  if (chart.log === true) {
    const low = 10;
    const high = 10 ** Math.ceil(Math.log10(Math.max(highest, low * 10)));
    const position = (value: number) =>
      (Math.log10(Math.max(low, value)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
    const ticks: number[] = [];
    for (let tick = low; tick <= high; tick *= 10) ticks.push(tick);
    return { position, ticks };
  }
  const top = niceMax(highest);
  return { position: (value) => value / top, ticks: [0, 0.25, 0.5, 0.75, 1].map((f) => top * f) };
}

/**
 * One line chart as inline SVG: the phases of the run shaded behind (each band a `rect` with
 * `data-phase`, `data-from` and `data-to` in ms of the run), a y axis with its unit, a legend, and each
 * series a `polyline` whose `data-times` lists the ms of the run of its points.
 */
function renderChart(chart: Chart, times: readonly number[], duration: number): string {
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const end = Math.max(duration, times.at(-1) ?? 0, 1);
  const axis = yAxis(chart);
  const x = (at: number) => margin.left + (at / end) * plotWidth;
  const y = (value: number) => margin.top + plotHeight - axis.position(value) * plotHeight;

  const bands = phases
    .map((phase, index) => {
      const from = (index * duration) / 3;
      const to = index === phases.length - 1 ? end : ((index + 1) * duration) / 3;
      return `<rect data-phase="${phase}" data-from="${Math.round(from)}" data-to="${Math.round(to)}" x="${x(from).toFixed(1)}" y="${margin.top}" width="${(x(to) - x(from)).toFixed(1)}" height="${plotHeight}" fill="${phaseColors[phase]}"/>`;
    })
    .join('');
  const ticks = axis.ticks
    .map((value) => {
      const at = y(value).toFixed(1);
      const label =
        chart.log === true ? `${value >= 1000 ? `${value / 1000} s` : `${value} ms`}` : formatNumber(value);
      return `<line x1="${margin.left}" x2="${width - margin.right}" y1="${at}" y2="${at}" stroke="#ddd"/><text x="${margin.left - 6}" y="${(Number(at) + 4).toFixed(1)}" text-anchor="end">${label}</text>`;
    })
    .join('');
  const seconds = Math.floor(end / 1000);
  const timeTicks = Array.from({ length: Math.min(seconds, 15) + 1 }, (_, index) =>
    Math.round((index * seconds) / Math.min(seconds || 1, 15)),
  )
    .map(
      (second) =>
        `<text x="${x(second * 1000).toFixed(1)}" y="${height - 8}" text-anchor="middle">${second}s</text>`,
    )
    .join('');
  const rule =
    chart.rule === undefined
      ? ''
      : `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(chart.rule.value).toFixed(1)}" y2="${y(chart.rule.value).toFixed(1)}" stroke="#555" stroke-dasharray="2 3"/><text x="${width - margin.right - 4}" y="${(y(chart.rule.value) - 4).toFixed(1)}" text-anchor="end">${escapeHtml(chart.rule.label)}</text>`;
  const lines = chart.series
    .map((series) => {
      const points: string[] = [];
      const at: number[] = [];
      series.values.forEach((value, index) => {
        const time = times[index];
        if (value === undefined || time === undefined) return;
        points.push(`${x(time).toFixed(1)},${y(value).toFixed(1)}`);
        at.push(Math.round(time));
      });
      return `<polyline data-series="${escapeHtml(series.label)}" data-points="${points.length}" data-times="${at.join(' ')}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed === true ? ' stroke-dasharray="6 3"' : ''} points="${points.join(' ')}"/>`;
    })
    .join('');
  const legend = chart.series
    .map(
      (series) =>
        `<span><i style="background:${series.color}${series.dashed === true ? ';opacity:0.55' : ''}"></i>${escapeHtml(series.label)}</span>`,
    )
    .join('');
  return `<figure>
<figcaption>${escapeHtml(chart.title)} <small>(${escapeHtml(chart.unit)})</small></figcaption>
<svg data-chart="${chart.id}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(chart.title)}">
${bands}${ticks}${timeTicks}${rule}${lines}
</svg>
<div class="legend">${legend}</div>
</figure>`;
}

/** The numbers behind the charts, one row per sample, with the phase each was taken in. */
function sampleTable(samples: readonly DemoSample[]): string {
  const rows = samples
    .map(
      (s) =>
        `<tr data-at="${Math.round(s.at)}" data-phase="${s.phase}"><td>${(s.at / 1000).toFixed(2)}</td><td>${s.phase}</td><td>${Math.round(s.handshake.throughput)}</td><td>${Math.round(s.handshake.usefulThroughput)}</td><td>${s.handshake.ages.recent?.p99 ?? '-'}</td><td>${Math.round(s.mergeMap.throughput)}</td><td>${Math.round(s.mergeMap.usefulThroughput)}</td><td>${s.mergeMap.ages.recent?.p99 ?? '-'}</td></tr>`,
    )
    .join('\n');
  return `<details><summary>Samples</summary>
<table data-samples>
<tr><th>s</th><th>phase</th><th>ours successes/s</th><th>ours useful/s</th><th>ours p99 age ms</th><th>mergeMap successes/s</th><th>mergeMap useful/s</th><th>mergeMap p99 age ms</th></tr>
${rows}
</table></details>`;
}

/**
 * The demo's report: one self-contained HTML file (inline CSS and SVG, no script, no network) with a
 * chart per measure over the run's clock, the service's phases shaded behind, the summary table and
 * the samples behind the charts.
 */
export function htmlReport(samples: readonly DemoSample[], options: DemoOptions, summary: string): string {
  const times = samples.map((sample) => sample.at);
  const of = (pick: (sample: DemoSample) => number | undefined) => samples.map(pick);
  const ours = '#1565c0';
  const theirs = '#c62828';
  const deadline = options.deadline * 1000;
  const charts: Chart[] = [
    {
      id: 'throughput',
      title: 'Successes, and useful successes (within the deadline of their production)',
      unit: 'per second',
      series: [
        { label: 'withHandshake', color: ours, values: of((s) => s.handshake.throughput) },
        {
          label: 'withHandshake useful',
          color: ours,
          dashed: true,
          values: of((s) => s.handshake.usefulThroughput),
        },
        { label: 'mergeMap', color: theirs, values: of((s) => s.mergeMap.throughput) },
        {
          label: 'mergeMap useful',
          color: theirs,
          dashed: true,
          values: of((s) => s.mergeMap.usefulThroughput),
        },
      ],
    },
    {
      id: 'age',
      title: 'Age of the jobs that succeeded, from production to success',
      unit: 'p99 and p50 over each interval, log scale',
      log: true,
      rule: { value: deadline, label: `deadline ${options.deadline} s` },
      series: [
        { label: 'withHandshake p99', color: ours, values: of((s) => s.handshake.ages.recent?.p99) },
        {
          label: 'withHandshake p50',
          color: ours,
          dashed: true,
          values: of((s) => s.handshake.ages.recent?.p50),
        },
        { label: 'mergeMap p99', color: theirs, values: of((s) => s.mergeMap.ages.recent?.p99) },
        {
          label: 'mergeMap p50',
          color: theirs,
          dashed: true,
          values: of((s) => s.mergeMap.ages.recent?.p50),
        },
      ],
    },
    {
      id: 'in-flight',
      title: 'In flight vs capacity',
      unit: 'calls',
      series: [
        { label: 'withHandshake in flight', color: ours, values: of((s) => s.handshake.inFlight) },
        { label: 'capacity (adaptive)', color: '#2e7d32', values: of((s) => s.handshake.capacity ?? 0) },
        { label: 'mergeMap in flight', color: theirs, values: of((s) => s.mergeMap.inFlight) },
      ],
    },
    {
      id: 'buffer',
      title: 'Items waiting',
      unit: 'items',
      series: [
        { label: 'withHandshake buffer (bounded)', color: ours, values: of((s) => s.handshake.buffered) },
        { label: 'mergeMap queue (unbounded)', color: theirs, values: of((s) => s.mergeMap.buffered) },
      ],
    },
    {
      id: 'drops',
      title: 'Dropped items, reported (cumulative)',
      unit: 'items',
      series: [
        { label: 'overflow', color: '#ef6c00', values: of((s) => s.handshake.dropped.overflow ?? 0) },
        { label: 'expired', color: '#8d6e63', values: of((s) => s.handshake.dropped.expired ?? 0) },
        { label: 'all reasons', color: ours, values: of((s) => droppedTotal(s.handshake)) },
      ],
    },
    {
      id: 'breaker',
      title: "Circuit breaker of withHandshake's service",
      unit: '0 closed, 1 half-open, 2 open',
      series: [
        {
          label: 'state',
          color: '#6a1b9a',
          values: of((s) =>
            s.handshake.breaker === 'open' ? 2 : s.handshake.breaker === 'half-open' ? 1 : 0,
          ),
        },
      ],
    },
    {
      id: 'heap',
      title: 'Heap of each pipeline',
      unit: 'MiB',
      series: [
        { label: 'withHandshake', color: ours, values: of((s) => s.handshake.heapUsed / 2 ** 20) },
        { label: 'mergeMap', color: theirs, values: of((s) => s.mergeMap.heapUsed / 2 ** 20) },
      ],
    },
  ];
  const settings = `duration ${options.duration} s, capacity ${options.capacity}, strategy '${options.strategy}', latency ${options.latency} ms, producer ${options.rate} items/s, deadline ${options.deadline} s`;
  const duration = options.duration * 1000;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>rxjs-backpressure demo report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
figure { margin: 0 0 24px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg text { font-size: 11px; fill: #555; }
.legend span { margin-right: 16px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
.phases i { display: inline-block; width: 12px; height: 12px; border: 1px solid #ccc; margin: 0 4px 0 12px; vertical-align: -1px; }
pre { background: #f6f6f6; padding: 12px; }
table { border-collapse: collapse; font-size: 12px; }
td, th { padding: 2px 8px; text-align: right; border-bottom: 1px solid #eee; }
</style>
</head>
<body>
<h1>rxjs-backpressure demo</h1>
<p>A fast producer into a slow service: <b>withHandshake</b> with a bounded buffer, an adaptive limit and a
circuit breaker, beside plain <b>mergeMap</b>. ${escapeHtml(settings)}. Time is counted from the moment both
pipelines were ready.</p>
<p class="phases">Phases:${phases.map((phase) => `<i style="background:${phaseColors[phase]}"></i>${phase}`).join('')}</p>
${charts.map((chart) => renderChart(chart, times, duration)).join('\n')}
<h2>Summary</h2>
<pre>${escapeHtml(summary)}</pre>
${sampleTable(samples)}
</body>
</html>
`;
}
