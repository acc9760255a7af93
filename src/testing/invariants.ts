import type { Invariant } from './Invariant.js';
import { conservesItems } from './invariants/conservesItems.js';
import { drainsBeforeComplete } from './invariants/drainsBeforeComplete.js';
import { neverExceedsCredit } from './invariants/neverExceedsCredit.js';
import { noStallWithCredit } from './invariants/noStallWithCredit.js';
import { nothingAfterTerminal } from './invariants/nothingAfterTerminal.js';
import { preservesOrder } from './invariants/preservesOrder.js';
import { releasesOnUnsubscribe } from './invariants/releasesOnUnsubscribe.js';

/**
 * The flow-control contract as seven checks on a {@link FlowTrace}; each is defined in one sentence
 * (its `description`) with the Reactive Streams rule it mirrors (its `rule`):
 *
 * - `neverExceedsCredit` (§1.1): at every delivery, items delivered so far ≤ credits granted so far.
 * - `conservesItems`: delivered + reported dropped ≤ received, and = received once the output ended.
 * - `preservesOrder`: the delivered items are a subsequence of the received ones (FIFO pipelines).
 * - `drainsBeforeComplete` (§1.5, §2.9): the output completes only when nothing is held, and as soon
 *   as the source has completed and nothing is held.
 * - `nothingAfterTerminal` (§1.7, §1.8): nothing is delivered or signalled after the output ended.
 * - `releasesOnUnsubscribe` (§3.13, §1.6): once the output ended, source and credits are unsubscribed
 *   and nothing is held.
 * - `noStallWithCredit`: the pipeline never goes quiet holding both an item and unspent credit.
 *
 * Use them on any trace, or name them in `checkFlowControl(build, { invariants })`.
 *
 * @example
 * ```ts
 * import { requestCredits } from 'rxjs-backpressure';
 * import { invariants, runScenario } from 'rxjs-backpressure/testing';
 *
 * const trace = runScenario(
 *   { initialCredit: 1, steps: [{ at: 0, kind: 'emit', item: 1 }, { at: 0, kind: 'emit', item: 2 }] },
 *   (source, credits) => source.pipe(requestCredits(credits)),
 * );
 * for (const invariant of Object.values(invariants)) {
 *   console.log(invariant.name, invariant.check(trace) ?? 'holds');
 * }
 * ```
 */
export const invariants = {
  neverExceedsCredit,
  conservesItems,
  preservesOrder,
  drainsBeforeComplete,
  nothingAfterTerminal,
  releasesOnUnsubscribe,
  noStallWithCredit,
} as const satisfies Record<string, Invariant>;

/**
 * The name of one of the kit's {@link invariants}.
 *
 * @example
 * ```ts
 * import type { InvariantName } from 'rxjs-backpressure/testing';
 *
 * const safety: InvariantName[] = ['neverExceedsCredit', 'nothingAfterTerminal'];
 * ```
 */
export type InvariantName = keyof typeof invariants;
