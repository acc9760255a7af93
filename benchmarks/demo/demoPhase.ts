import type { DemoPhase } from './DemoSample.js';

/** The service is steady for the first third of the run, degraded for the second, then recovers. */
export function demoPhase(elapsed: number, duration: number): DemoPhase {
  const fraction = elapsed / duration;
  return fraction < 1 / 3 ? 'steady' : fraction < 2 / 3 ? 'degraded' : 'recovered';
}
