import type { DemoPhase, DemoSample } from './DemoSample.js';
import type { DemoOptions } from './demoOptions.js';

interface Series {
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
}

interface Chart {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly series: readonly Series[];
}

const width = 760;
const height = 220;
const margin = { top: 16, right: 16, bottom: 28, left: 64 };
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

/** One line chart as inline SVG: phases shaded behind, a y axis with its unit, a legend. */
function renderChart(chart: Chart, times: readonly number[], phases: readonly DemoPhase[]): string {
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const end = Math.max(times.at(-1) ?? 1, 1);
  const top = niceMax(Math.max(0, ...chart.series.flatMap((series) => series.values)));
  const x = (at: number) => margin.left + (at / end) * plotWidth;
  const y = (value: number) => margin.top + plotHeight - (value / top) * plotHeight;

  const bands = times
    .map((at, index) => {
      const from = index === 0 ? 0 : (times[index - 1] as number);
      const phase = phases[index] ?? 'steady';
      return `<rect x="${x(from).toFixed(1)}" y="${margin.top}" width="${(x(at) - x(from)).toFixed(1)}" height="${plotHeight}" fill="${phaseColors[phase]}"/>`;
    })
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((fraction) => {
      const value = top * fraction;
      return `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#ddd"/><text x="${margin.left - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end">${formatNumber(value)}</text>`;
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
  const lines = chart.series
    .map((series) => {
      const points = series.values.map(
        (value, index) => `${x(times[index] ?? 0).toFixed(1)},${y(value).toFixed(1)}`,
      );
      return `<polyline data-series="${escapeHtml(series.label)}" data-points="${points.length}" fill="none" stroke="${series.color}" stroke-width="2" points="${points.join(' ')}"/>`;
    })
    .join('');
  const legend = chart.series
    .map((series) => `<span><i style="background:${series.color}"></i>${escapeHtml(series.label)}</span>`)
    .join('');
  return `<figure>
<figcaption>${escapeHtml(chart.title)} <small>(${escapeHtml(chart.unit)})</small></figcaption>
<svg data-chart="${chart.id}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(chart.title)}">
${bands}${ticks}${timeTicks}${lines}
</svg>
<div class="legend">${legend}</div>
</figure>`;
}

const sum = (counts: Readonly<Record<string, number | undefined>>) =>
  Object.values(counts).reduce<number>((total, count) => total + (count ?? 0), 0);

/**
 * The demo's report: one self-contained HTML file (inline CSS and SVG, no script, no network) with a
 * chart per measure over time, the service's phases shaded behind, and the summary table.
 */
export function htmlReport(samples: readonly DemoSample[], options: DemoOptions, summary: string): string {
  const times = samples.map((sample) => sample.at);
  const phases = samples.map((sample) => sample.phase);
  const of = (pick: (sample: DemoSample) => number) => samples.map(pick);
  const handshakeColor = '#1565c0';
  const mergeMapColor = '#c62828';
  const charts: Chart[] = [
    {
      id: 'throughput',
      title: 'Throughput',
      unit: 'results per second',
      series: [
        { label: 'withHandshake', color: handshakeColor, values: of((s) => s.handshake.throughput) },
        { label: 'mergeMap', color: mergeMapColor, values: of((s) => s.mergeMap.throughput) },
      ],
    },
    {
      id: 'in-flight',
      title: 'In flight vs capacity',
      unit: 'calls',
      series: [
        { label: 'withHandshake in flight', color: handshakeColor, values: of((s) => s.handshake.inFlight) },
        { label: 'capacity (adaptive)', color: '#2e7d32', values: of((s) => s.handshake.capacity ?? 0) },
        { label: 'mergeMap in flight', color: mergeMapColor, values: of((s) => s.mergeMap.inFlight) },
      ],
    },
    {
      id: 'buffer',
      title: 'Items waiting',
      unit: 'items',
      series: [
        {
          label: 'withHandshake buffer (bounded)',
          color: handshakeColor,
          values: of((s) => s.handshake.buffered),
        },
        { label: 'mergeMap queue (unbounded)', color: mergeMapColor, values: of((s) => s.mergeMap.buffered) },
      ],
    },
    {
      id: 'drops',
      title: 'Dropped items, reported (cumulative)',
      unit: 'items',
      series: [
        { label: 'overflow', color: '#ef6c00', values: of((s) => s.handshake.dropped.overflow ?? 0) },
        { label: 'all reasons', color: handshakeColor, values: of((s) => sum(s.handshake.dropped)) },
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
        { label: 'withHandshake', color: handshakeColor, values: of((s) => s.handshake.heapUsed / 2 ** 20) },
        { label: 'mergeMap', color: mergeMapColor, values: of((s) => s.mergeMap.heapUsed / 2 ** 20) },
      ],
    },
  ];
  const settings = `duration ${options.duration} s, capacity ${options.capacity}, strategy '${options.strategy}', latency ${options.latency} ms, producer ${options.rate} items/s`;
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
</style>
</head>
<body>
<h1>rxjs-backpressure demo</h1>
<p>A fast producer into a slow service: <b>withHandshake</b> with a bounded buffer, an adaptive limit and a
circuit breaker, beside plain <b>mergeMap</b>. ${escapeHtml(settings)}.</p>
<p class="phases">Phases:${(['steady', 'degraded', 'recovered'] as const).map((phase) => `<i style="background:${phaseColors[phase]}"></i>${phase}`).join('')}</p>
${charts.map((chart) => renderChart(chart, times, phases)).join('\n')}
<h2>Summary</h2>
<pre>${escapeHtml(summary)}</pre>
</body>
</html>
`;
}
