import { parentPort, workerData } from 'node:worker_threads';
import type { PipelineSample } from './DemoSample.js';
import type { DemoOptions } from './demoOptions.js';
import { handshakePipeline } from './handshakePipeline.js';
import { mergeMapPipeline } from './mergeMapPipeline.js';

/** What the main thread hands a pipeline worker. */
export interface PipelineWorkerData {
  readonly pipeline: 'handshake' | 'mergeMap';
  readonly options: DemoOptions;
  readonly startedAt: number;
}

/** What the main thread asks; each request is answered with a {@link PipelineSample}. */
export type PipelineRequest = 'sample' | 'stop';

// Each pipeline runs in a worker of its own, so the heap it reports is its own.
if (parentPort !== null) {
  const port = parentPort;
  const { pipeline, options, startedAt } = workerData as PipelineWorkerData;
  const running = (pipeline === 'handshake' ? handshakePipeline : mergeMapPipeline)(options, startedAt);
  port.on('message', (request: PipelineRequest) => {
    const sample: PipelineSample = running.sample();
    if (request === 'stop') running.stop();
    port.postMessage(sample);
    if (request === 'stop') port.close();
  });
}
