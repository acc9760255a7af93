import { writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { DemoSample, PipelineSample } from './DemoSample.js';
import { type DemoOptions, parseDemoOptions } from './demoOptions.js';
import { demoPhase } from './demoPhase.js';
import { htmlReport } from './htmlReport.js';
import { liveView, plainLine, summaryTable } from './liveView.js';
import type { PipelineAnswer, PipelineRequest, PipelineWorkerData } from './pipelineWorker.js';

const sampleEvery = 500;

interface PipelineThread {
  /** Settles once the worker has loaded its code. */
  readonly ready: Promise<void>;
  /** Starts the pipeline, on the run's clock that started at `at`. */
  start(at: number): void;
  ask(request: Exclude<PipelineRequest, object>): Promise<PipelineSample>;
}

/** Starts a pipeline in a worker thread that runs TypeScript through tsx, as this process does. */
function startWorker(data: PipelineWorkerData): PipelineThread {
  const entry = new URL('./pipelineWorker.ts', import.meta.url).href;
  const worker = new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true, workerData: data },
  );
  const failure = new Promise<never>((_, reject) => worker.once('error', reject));
  failure.catch(() => undefined);
  const answer = () => new Promise<PipelineAnswer>((resolve) => worker.once('message', resolve));
  return {
    ready: Promise.race([failure, answer()]).then(() => undefined),
    start: (at) => worker.postMessage({ start: at } satisfies PipelineRequest),
    ask: (request) => {
      const answered = answer() as Promise<PipelineSample>;
      worker.postMessage(request);
      return Promise.race([failure, answered]);
    },
  };
}

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

async function run(options: DemoOptions): Promise<void> {
  const handshake = startWorker({ pipeline: 'handshake', options });
  const mergeMap = startWorker({ pipeline: 'mergeMap', options });
  const live = process.stdout.isTTY === true;
  console.log('Loading both pipelines; the run starts when both are ready.');
  await Promise.all([handshake.ready, mergeMap.ready]);
  // One clock for everything: the workers' phases and timers, the samples and the report count from here.
  const startedAt = Date.now();
  handshake.start(startedAt);
  mergeMap.start(startedAt);
  const duration = options.duration * 1000;
  const samples: DemoSample[] = [];
  const peakHeap = { handshake: 0, mergeMap: 0 };
  // The first redraw replaces the loading line.
  let drawn = 1;

  const take = async (request: 'sample' | 'stop'): Promise<DemoSample> => {
    const at = Date.now() - startedAt;
    const [ours, theirs] = await Promise.all([handshake.ask(request), mergeMap.ask(request)]);
    peakHeap.handshake = Math.max(peakHeap.handshake, ours.heapUsed);
    peakHeap.mergeMap = Math.max(peakHeap.mergeMap, theirs.heapUsed);
    const sample = {
      at,
      phase: demoPhase(Math.min(at, duration - 1), duration),
      handshake: ours,
      mergeMap: theirs,
    };
    samples.push(sample);
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
    // Samples are due on a fixed grid of the run's clock; one taken late on a busy machine says when.
    const ticks = Math.max(1, Math.round(duration / sampleEvery));
    for (let tick = 1; tick < ticks; tick++) {
      await sleepUntil(startedAt + tick * sampleEvery);
      show(await take('sample'));
    }
    await sleepUntil(startedAt + duration);
    const last = await take('stop');
    const summary = summaryTable(last, peakHeap, options);
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
