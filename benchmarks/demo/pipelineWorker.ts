import { parentPort, workerData } from 'node:worker_threads';
import { asyncScheduler } from 'rxjs';
import type { PipelineSample } from './DemoSample.js';
import type { DemoOptions } from './demoOptions.js';
import { handshakePipeline } from './handshakePipeline.js';
import { mergeMapPipeline } from './mergeMapPipeline.js';
import type { RunningPipeline } from './PipelineRun.js';

/** What the main thread hands a pipeline worker. */
export interface PipelineWorkerData {
  readonly pipeline: 'handshake' | 'mergeMap';
  readonly options: DemoOptions;
}

/**
 * What the main thread sends: first `start`, once both workers said they are ready, with the moment
 * the run starts (`Date.now()`, the clock both threads share); then `sample` and at last `stop`, each
 * answered with a {@link PipelineSample}.
 */
export type PipelineRequest = { readonly start: number } | 'sample' | 'stop';

/** What a worker answers: `ready` once loaded (its code compiled), then one sample per request. */
export type PipelineAnswer = 'ready' | PipelineSample;

// Each pipeline runs in a worker of its own, so the heap it reports is its own. It starts only when
// told, so the time this thread took to load is not taken from the run.
if (parentPort !== null) {
  const port = parentPort;
  const { pipeline, options } = workerData as PipelineWorkerData;
  let running: RunningPipeline | undefined;
  port.on('message', (request: PipelineRequest) => {
    if (typeof request === 'object') {
      const start = pipeline === 'handshake' ? handshakePipeline : mergeMapPipeline;
      running = start({ options, scheduler: asyncScheduler, startedAt: request.start });
      return;
    }
    if (running === undefined)
      throw new Error(`A pipeline worker was asked for a '${request}' before its start.`);
    const sample: PipelineSample = running.sample();
    if (request === 'stop') running.stop();
    port.postMessage(sample satisfies PipelineAnswer);
    if (request === 'stop') port.close();
  });
  port.postMessage('ready' satisfies PipelineAnswer);
}
