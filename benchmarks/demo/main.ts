import { writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { DemoSample, PipelineSample } from './DemoSample.js';
import { type DemoOptions, parseDemoOptions } from './demoOptions.js';
import { demoPhase } from './demoPhase.js';
import { htmlReport } from './htmlReport.js';
import { liveView, plainLine, summaryTable } from './liveView.js';
import type { PipelineRequest, PipelineWorkerData } from './pipelineWorker.js';

const sampleEvery = 500;

/** Starts a pipeline in a worker thread that runs TypeScript through tsx, as this process does. */
function startWorker(data: PipelineWorkerData): { ask(request: PipelineRequest): Promise<PipelineSample> } {
  const entry = new URL('./pipelineWorker.ts', import.meta.url).href;
  const worker = new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true, workerData: data },
  );
  const failure = new Promise<never>((_, reject) => worker.once('error', reject));
  failure.catch(() => undefined);
  return {
    ask: (request) =>
      Promise.race([
        failure,
        new Promise<PipelineSample>((resolve) => {
          worker.once('message', resolve);
          worker.postMessage(request);
        }),
      ]),
  };
}

async function run(options: DemoOptions): Promise<void> {
  const startedAt = Date.now();
  const handshake = startWorker({ pipeline: 'handshake', options, startedAt });
  const mergeMap = startWorker({ pipeline: 'mergeMap', options, startedAt });
  const live = process.stdout.isTTY === true;
  const samples: DemoSample[] = [];
  const peakHeap = { handshake: 0, mergeMap: 0 };
  let drawn = 0;

  // The closing sample comes right after the last one, too soon for a meaningful throughput: it goes
  // to the summary, not to the charts.
  const take = async (request: PipelineRequest): Promise<DemoSample> => {
    const [ours, theirs] = await Promise.all([handshake.ask(request), mergeMap.ask(request)]);
    const at = Date.now() - startedAt;
    peakHeap.handshake = Math.max(peakHeap.handshake, ours.heapUsed);
    peakHeap.mergeMap = Math.max(peakHeap.mergeMap, theirs.heapUsed);
    const sample = { at, phase: demoPhase(at, options.duration * 1000), handshake: ours, mergeMap: theirs };
    if (request === 'sample') samples.push(sample);
    return sample;
  };
  const show = (sample: DemoSample) => {
    if (live) {
      const lines = liveView(sample, options);
      process.stdout.write(`${drawn > 0 ? `\x1b[${drawn}A\r\x1b[J` : ''}${lines.join('\n')}\n`);
      drawn = lines.length;
    } else if (samples.length % Math.round(1000 / sampleEvery) === 0) {
      console.log(plainLine(sample));
    }
  };

  if (live) process.stdout.write('\x1b[?25l');
  try {
    while (Date.now() - startedAt < options.duration * 1000 - sampleEvery / 2) {
      await new Promise((resolve) => setTimeout(resolve, sampleEvery));
      show(await take('sample'));
    }
    const last = await take('stop');
    const summary = summaryTable(last, peakHeap);
    console.log(`\n${summary}`);
    if (options.report !== undefined) {
      writeFileSync(options.report, htmlReport(samples, options, summary));
      console.log(`\nReport written to ${options.report}`);
    }
  } finally {
    if (live) process.stdout.write('\x1b[?25h');
  }
}

let options: DemoOptions;
try {
  options = parseDemoOptions(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
await run(options);
