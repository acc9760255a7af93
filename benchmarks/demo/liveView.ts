import type { DemoSample, PipelineSample } from './DemoSample.js';
import type { DemoOptions } from './demoOptions.js';

const mebibytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const count = (value: number) => Math.round(value).toLocaleString('en-US');

function droppedText(sample: PipelineSample): string {
  const parts = Object.entries(sample.dropped)
    .filter(([, dropped]) => (dropped ?? 0) > 0)
    .map(([reason, dropped]) => `${reason} ${count(dropped ?? 0)}`);
  return parts.length === 0 ? '0' : parts.join(', ');
}

function rows(sample: DemoSample): [string, string, string][] {
  const { handshake, mergeMap } = sample;
  return [
    [
      'succeeded / failed',
      `${count(handshake.processed - handshake.failed)} / ${count(handshake.failed)}`,
      `${count(mergeMap.processed - mergeMap.failed)} / ${count(mergeMap.failed)}`,
    ],
    ['throughput', `${count(handshake.throughput)}/s`, `${count(mergeMap.throughput)}/s`],
    [
      'in flight / capacity',
      `${handshake.inFlight} / ${handshake.capacity ?? '-'}`,
      `${mergeMap.inFlight} / ${mergeMap.capacity ?? '-'}`,
    ],
    ['waiting', `${count(handshake.buffered)} (bounded)`, `${count(mergeMap.buffered)} (unbounded)`],
    ['dropped, reported', droppedText(handshake), droppedText(mergeMap)],
    ['heap', mebibytes(handshake.heapUsed), mebibytes(mergeMap.heapUsed)],
    [
      'latency p50 / p99',
      handshake.latency === undefined
        ? '-'
        : `${handshake.latency.p50.toFixed(0)} / ${handshake.latency.p99.toFixed(0)} ms`,
      '-',
    ],
    ['circuit breaker', handshake.breaker ?? '-', '-'],
    ['alerts (FlowMonitor)', handshake.alerts?.join(', ') || 'none', '-'],
    ...(handshake.error === undefined
      ? []
      : [['stopped by', handshake.error, '-'] as [string, string, string]]),
  ];
}

function table(sample: DemoSample): string[] {
  const lines = [['', 'withHandshake', 'mergeMap'] as [string, string, string], ...rows(sample)];
  return lines.map(([label, ours, theirs]) => `  ${label.padEnd(22)}${ours.padEnd(30)}${theirs}`);
}

/** The live view for a terminal: a header with a progress bar, then both pipelines side by side. */
export function liveView(sample: DemoSample, options: DemoOptions): string[] {
  const fraction = Math.min(1, sample.at / (options.duration * 1000));
  const filled = Math.round(fraction * 40);
  return [
    `rxjs-backpressure demo: ${(sample.at / 1000).toFixed(1)} s of ${options.duration} s, service ${sample.phase}`,
    `  [${'#'.repeat(filled)}${'.'.repeat(40 - filled)}] ${Math.round(fraction * 100)}%`,
    ...table(sample),
  ];
}

/** One plain line per sample, for logs and CI where there is no terminal to redraw. */
export function plainLine(sample: DemoSample): string {
  const { handshake: ours, mergeMap: theirs } = sample;
  return [
    `t=${(sample.at / 1000).toFixed(0)}s ${sample.phase}`,
    `withHandshake: processed=${ours.processed} throughput=${count(ours.throughput)}/s inFlight=${ours.inFlight}/${ours.capacity ?? '-'} waiting=${ours.buffered} dropped=${droppedText(ours)} heap=${mebibytes(ours.heapUsed)} breaker=${ours.breaker ?? '-'}`,
    `mergeMap: processed=${theirs.processed} throughput=${count(theirs.throughput)}/s waiting=${theirs.buffered} heap=${mebibytes(theirs.heapUsed)}`,
  ].join(' | ');
}

/** The closing table: what each pipeline did in the end, throughput averaged over the whole run. */
export function summaryTable(last: DemoSample, peakHeap: { handshake: number; mergeMap: number }): string {
  const seconds = Math.max(0.001, last.at / 1000);
  const averaged = (sample: PipelineSample) => ({
    ...sample,
    throughput: (sample.processed - sample.failed) / seconds,
  });
  const overall = { ...last, handshake: averaged(last.handshake), mergeMap: averaged(last.mergeMap) };
  return [
    `Summary after ${seconds.toFixed(1)} s (${count(last.handshake.produced)} jobs of 1 KiB produced; throughput = successes per second)`,
    ...table(overall),
    `  ${'peak heap'.padEnd(22)}${mebibytes(peakHeap.handshake).padEnd(30)}${mebibytes(peakHeap.mergeMap)}`,
    '',
    'withHandshake held at most its bounded buffer and reported every job it dropped;',
    'mergeMap dropped nothing but queued every job the service could not take, and its heap grew with them.',
  ].join('\n');
}
