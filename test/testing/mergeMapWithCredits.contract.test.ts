import { describe, it } from 'vitest';
import { mergeMapWithCredits, requestCredits } from '../../src/index.js';
import { checkFlowControlAsync } from '../../src/testing/index.js';

const numRuns = process.env.CI ? 1000 : 200;

/*
 * mergeMapWithCredits as a step of a credited pipeline: `requestCredits` lets items through against
 * the kit's credits, and the stage runs each one's segment (a promise fast-check settles in every
 * order) at most `concurrency` at once, holding the rest in its own gate, which reports its drops
 * through the same onDrop. Results come in completion order, so `preservesOrder` is left out; and
 * unsubscribing or an error cuts the segments in flight without reporting their items, as mergeMap does.
 */
describe('mergeMapWithCredits under the flow-control contract', () => {
  for (const concurrency of [1, 2, 3]) {
    it(`keeps the contract at concurrency ${concurrency}, whatever order its segments settle in`, async () => {
      await checkFlowControlAsync(
        (source, credits, { onDrop, promises }) => {
          const work = promises.scheduleFunction(async (n: number) => n);
          const stage = mergeMapWithCredits(work, { concurrency, onDrop });
          return source.pipe(requestCredits(credits, { onDrop }), stage);
        },
        {
          numRuns,
          invariants: [
            'neverExceedsCredit',
            'conservesItems',
            'drainsBeforeComplete',
            'nothingAfterTerminal',
            'releasesOnUnsubscribe',
            'noStallWithCredit',
          ],
          scenario: { unsubscribe: false, error: false },
        },
      );
    });
  }
});
