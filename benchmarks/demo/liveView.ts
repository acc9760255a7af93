import { type DemoSample, droppedTotal, type PipelineSample } from './DemoSample.js';
import type { DurationPercentiles } from './DurationHistogram.js';
import type { DemoOptions } from './demoOptions.js';

const mebibytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const seconds = (ms: number) =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(2)} s`;
const ageText = (ages: DurationPercentiles | undefined) =>
  ages === undefined ? '-' : `${seconds(ages.p50)} / ${seconds(ages.p99)}`;

function droppedText(sample: PipelineSample): string {
  const parts = Object.entries(sample.dropped)
    .filter(([, dropped]) => (dropped ?? 0) > 0)
    .map(([reason, dropped]) => `${reason} ${count(dropped ?? 0)}`);
  return parts.length === 0 ? '0' : parts.join(', ');
}

type Row = [label: string, ours: string, theirs: string];

/** The same row for both pipelines. */
const both = (label: string, show: (sample: PipelineSample) => string, sample: DemoSample): Row => [
  label,
  show(sample.handshake),
  show(sample.mergeMap),
];

function rows(sample: DemoSample, options: DemoOptions, recent: boolean): Row[] {
  const { handshake } = sample;
  const rate = recent ? '/s now' : '/s';
  return [
    both('succeeded / failed', (s) => `${count(s.processed - s.failed)} / ${count(s.failed)}`, sample),
    both(`useful (<= ${options.deadline} s old)`, (s) => count(s.ages.useful), sample),
    both('successes', (s) => `${count(s.throughput)}${rate}`, sample),
    both('useful successes', (s) => `${count(s.usefulThroughput)}${rate}`, sample),
    both(
      recent ? 'age p50 / p99 now' : 'age p50 / p99',
      (s) => ageText(recent ? s.ages.recent : s.ages.overall),
      sample,
    ),
    both('in flight / capacity', (s) => `${s.inFlight} / ${s.capacity ?? '-'}`, sample),
    ['waiting', `${count(handshake.buffered)} (bounded)`, `${count(sample.mergeMap.buffered)} (unbounded)`],
    both('dropped, reported', droppedText, sample),
    both('heap', (s) => mebibytes(s.heapUsed), sample),
    both(
      'service latency p50/p99',
      (s) => (s.latency === undefined ? '-' : `${s.latency.p50.toFixed(0)} / ${s.latency.p99.toFixed(0)} ms`),
      sample,
    ),
    ['circuit breaker', handshake.breaker ?? '-', '-'],
    ['alerts (FlowMonitor)', handshake.alerts?.join(', ') || 'none', '-'],
    ...(handshake.error === undefined ? [] : [['stopped by', handshake.error, '-'] as Row]),
  ];
}

function table(lines: readonly Row[]): string[] {
  return [['', 'withHandshake', 'mergeMap'] as Row, ...lines].map(
    ([label, ours, theirs]) => `  ${label.padEnd(24)}${ours.padEnd(29)} ${theirs}`,
  );
}

/** The live view for a terminal: a header with a progress bar, then both pipelines side by side. */
export function liveView(sample: DemoSample, options: DemoOptions): string[] {
  const fraction = Math.min(1, sample.at / (options.duration * 1000));
  const filled = Math.round(fraction * 40);
  return [
    `rxjs-backpressure demo: ${(sample.at / 1000).toFixed(1)} s of ${options.duration} s, service ${sample.phase}`,
    `  [${'#'.repeat(filled)}${'.'.repeat(40 - filled)}] ${Math.round(fraction * 100)}%`,
    ...table(rows(sample, options, true)),
  ];
}

/** One plain line per sample, for logs and CI where there is no terminal to redraw. */
export function plainLine(sample: DemoSample): string {
  const line = (name: string, s: PipelineSample) =>
    `${name}: succeeded=${s.processed - s.failed} useful=${s.ages.useful} successes=${count(s.throughput)}/s useful=${count(s.usefulThroughput)}/s age=${ageText(s.ages.recent)} inFlight=${s.inFlight}/${s.capacity ?? '-'} waiting=${s.buffered} dropped=${droppedText(s)} heap=${mebibytes(s.heapUsed)}`;
  return [
    `t=${(sample.at / 1000).toFixed(0)}s ${sample.phase}`,
    `${line('withHandshake', sample.handshake)} breaker=${sample.handshake.breaker ?? '-'}`,
    line('mergeMap', sample.mergeMap),
  ].join(' | ');
}

/** Where every job a pipeline produced is: `produced = succeeded + failed + waiting + dropped + in flight`. */
export function conservationLine(name: string, s: PipelineSample): string {
  const parts = [s.processed - s.failed, s.failed, s.buffered, droppedTotal(s), s.inFlight];
  const holds = parts.reduce((total, part) => total + part, 0) === s.produced;
  return `  ${name}: produced ${count(s.produced)} ${holds ? '=' : '!='} ${parts.map(count).join(' + ')} (succeeded + failed + waiting + dropped + in flight)`;
}

/** The closing table: what each pipeline did in the end, rates averaged over the whole run. */
export function summaryTable(
  last: DemoSample,
  peakHeap: { handshake: number; mergeMap: number },
  options: DemoOptions,
): string {
  const elapsed = Math.max(0.001, last.at / 1000);
  const averaged = (sample: PipelineSample): PipelineSample => ({
    ...sample,
    throughput: (sample.processed - sample.failed) / elapsed,
    usefulThroughput: sample.ages.useful / elapsed,
  });
  const overall = { ...last, handshake: averaged(last.handshake), mergeMap: averaged(last.mergeMap) };
  const phaseAges = (['steady', 'degraded', 'recovered'] as const).map((phase) =>
    both(`age p50 / p99 ${phase}`, (s) => ageText(s.ages.byPhase[phase]), overall),
  );
  return [
    `Summary after ${elapsed.toFixed(1)} s (jobs of 1 KiB; useful = succeeded within ${options.deadline} s of production; age = production to success)`,
    ...table([
      ...rows(overall, options, false),
      ...phaseAges,
      ['peak heap', mebibytes(peakHeap.handshake), mebibytes(peakHeap.mergeMap)],
    ]),
    '',
    'Every job, per pipeline:',
    conservationLine('withHandshake', last.handshake),
    conservationLine('mergeMap', last.mergeMap),
    '',
    'withHandshake held at most its bounded buffer, reported every job it dropped and ran fresh jobs;',
    'mergeMap dropped nothing but queued every job the service could not take: its jobs waited, aged',
    'past any deadline, and its heap grew with them.',
  ].join('\n');
}
