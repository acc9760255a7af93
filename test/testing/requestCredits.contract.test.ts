import { describe, expect, it } from 'vitest';
import type { RequestCreditsOptions } from '../../src/index.js';
import { requestCredits } from '../../src/operators/requestCredits.js';
import { checkFlowControl, type InvariantName, invariants } from '../../src/testing/index.js';

// Issue 8, requirement 3: at least 1,000 runs per strategy in CI; fewer locally to stay fast.
const numRuns = process.env.CI ? 1000 : 200;

type Options = Omit<RequestCreditsOptions<number>, 'onDrop' | 'scheduler'>;

const all = Object.keys(invariants) as InvariantName[];
// A priority queue delivers by priority, not in arrival order.
const unordered = all.filter((name) => name !== 'preservesOrder');

describe.each<[string, Options, InvariantName[]]>([
  ["'buffer' (default options)", {}, all],
  ["'buffer' with a small buffer, overflow 'error'", { bufferSize: 3 }, all],
  ["'buffer', overflow 'drop-oldest'", { bufferSize: 3, overflow: 'drop-oldest' }, all],
  ["'buffer', overflow 'drop-incoming'", { bufferSize: 3, overflow: 'drop-incoming' }, all],
  [
    "'buffer', overflow 'drop-lowest' with priority",
    { bufferSize: 3, overflow: 'drop-lowest', priority: (n) => n % 3 },
    unordered,
  ],
  ["'buffer' with priority", { priority: (n) => n % 3 }, unordered],
  ["'buffer' with ttl", { bufferSize: 4, overflow: 'drop-oldest', ttl: 2 }, all],
  ["'buffer' without delayError", { delayError: false }, all],
  ["'drop'", { strategy: 'drop' }, all],
  ["'latest'", { strategy: 'latest' }, all],
  ["'latest' with ttl", { strategy: 'latest', ttl: 2 }, all],
  ["'error'", { strategy: 'error' }, all],
])('requestCredits, strategy %s', (_name, options, checked) => {
  it(`keeps the flow-control contract over ${numRuns} random scenarios`, () => {
    expect(() =>
      checkFlowControl(
        (source, credits, { onDrop, scheduler }) =>
          source.pipe(requestCredits(credits, { ...options, onDrop, scheduler })),
        { numRuns, invariants: checked },
      ),
    ).not.toThrow();
  });
});
