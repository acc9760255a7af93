/**
 * Whose demand a {@link shareWithCredits} source is read at: `'slowest'` (every branch has room: no
 * branch is ever sent more than it granted), `'fastest'` (the branch with the most room; slower
 * branches apply their own strategy) or `'quorum'` (`quorum` branches have room).
 *
 * @example
 * ```ts
 * import type { SharePolicy } from 'rxjs-backpressure';
 *
 * const policy: SharePolicy = 'fastest'; // the fast consumer sets the pace, slow ones conflate
 * ```
 */
export type SharePolicy = 'slowest' | 'fastest' | 'quorum';

/**
 * Options of {@link shareWithCredits}.
 *
 * @example
 * ```ts
 * import type { ShareWithCreditsOptions } from 'rxjs-backpressure';
 *
 * const options: ShareWithCreditsOptions = { policy: 'quorum', quorum: 2 }; // two of the branches
 * ```
 */
export interface ShareWithCreditsOptions {
  /** Default `'slowest'`. */
  readonly policy?: SharePolicy;
  /** `'quorum'` only, and needed there: how many branches must have room, a positive safe integer. */
  readonly quorum?: number;
  /**
   * How many branches must have joined before the source is subscribed, a positive safe integer
   * (default 1). Once started, the source runs until it ends or every branch has left.
   */
  readonly startAfter?: number;
}
