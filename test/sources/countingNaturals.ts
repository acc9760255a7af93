import { tap } from 'rxjs';
import type { CreditProvider } from '../../src/index.js';
import { pullFrom } from '../../src/index.js';

/**
 * Endless producers of 0, 1, 2, ... that count how often they were read and how often their `finally`
 * ran, so a test can tell how far a consumer pulled and whether it let go exactly once.
 */
export function countingNaturals() {
  const counts = { reads: 0, finallyRuns: 0 };
  function* naturals(): Generator<number> {
    try {
      for (let n = 0; ; n++) {
        counts.reads++;
        yield n;
      }
    } finally {
      counts.finallyRuns++;
    }
  }
  async function* asyncNaturals(): AsyncGenerator<number> {
    try {
      for (let n = 0; ; n++) {
        counts.reads++;
        yield n;
      }
    } finally {
      counts.finallyRuns++;
    }
  }
  return { counts, naturals, asyncNaturals };
}

/** A bridge's factory pipeline: `pullFrom` over counting naturals, recording every grant it receives. */
export function countingPipeline() {
  const grants: number[] = [];
  const { counts, naturals } = countingNaturals();
  const pipeline = (credits: CreditProvider) =>
    pullFrom(naturals(), { credits$: credits.credits$.pipe(tap((grant) => grants.push(grant))) });
  return { pipeline, grants, counts };
}
