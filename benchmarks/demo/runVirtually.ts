import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import type { DemoSample } from './DemoSample.js';
import type { DemoOptions } from './demoOptions.js';
import { demoPhase } from './demoPhase.js';
import { handshakePipeline } from './handshakePipeline.js';
import { mergeMapPipeline } from './mergeMapPipeline.js';

/** Runs every action due by `until`, one frame at a time, letting the Promises of each frame settle. */
async function advanceTo(scheduler: VirtualTimeScheduler, until: number): Promise<void> {
  for (
    let next = scheduler.actions[0];
    next !== undefined && next.delay <= until;
    next = scheduler.actions[0]
  ) {
    scheduler.maxFrames = next.delay;
    scheduler.flush();
    await new Promise((resolve) => setImmediate(resolve));
  }
  scheduler.frame = until;
}

/**
 * Both pipelines of the demo in virtual time, on one clock, sampled every `sampleEvery` ms: the same
 * code as `npm run demo` runs, without the threads and without the noise of a busy machine, so what
 * the library does in each phase can be measured and tested. A run of 15 s takes under a second.
 */
export async function runVirtually(
  options: DemoOptions,
  sampleEvery = 500,
  random?: () => number,
): Promise<DemoSample[]> {
  const scheduler = new VirtualTimeScheduler(VirtualAction, 0);
  const context = {
    options,
    scheduler,
    startedAt: 0,
    payloadLength: 0,
    ...(random === undefined ? {} : { random }),
  };
  const ours = handshakePipeline(context);
  const theirs = mergeMapPipeline(context);
  const duration = options.duration * 1000;
  const samples: DemoSample[] = [];
  try {
    for (let at = sampleEvery; at <= duration; at += sampleEvery) {
      await advanceTo(scheduler, at);
      samples.push({
        at,
        phase: demoPhase(at, duration),
        handshake: ours.sample(),
        mergeMap: theirs.sample(),
      });
    }
  } finally {
    ours.stop();
    theirs.stop();
  }
  return samples;
}
