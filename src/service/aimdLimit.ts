import { limitAlgorithm } from './internal/limitAlgorithm.js';
import type { LimitBoundsOptions } from './internal/limitBounds.js';
import { limitOptions } from './internal/limitOptions.js';
import type { LimitAlgorithm } from './LimitAlgorithm.js';

/**
 * Options of {@link aimdLimit}: the bounds every limit takes (by default
 * `initial` 10, `min` 1, `max` 200) and its own.
 *
 * @example
 * ```ts
 * import { type AimdLimitOptions, aimdLimit } from 'rxjs-backpressure';
 *
 * // Calls slower than 2 s count as dropped, and each drop cuts the limit by at least a quarter.
 * const options: AimdLimitOptions = { initial: 4, min: 2, max: 64, backoffRatio: 0.75, timeout: 2_000 };
 * const algorithm = aimdLimit(options);
 * ```
 */
export interface AimdLimitOptions extends LimitBoundsOptions {
  /** What a drop multiplies the limit by, in `[0.5, 1)`. Default 0.9. */
  readonly backoffRatio?: number | undefined;
  /** Milliseconds beyond which a successful call counts as dropped, `> 0` (`Infinity`: never). Default 5000. */
  readonly timeout?: number | undefined;
}

/**
 * A loss-based limit, additive increase and multiplicative decrease, after TCP Reno's congestion
 * control and Netflix concurrency-limits' `AIMDLimit`. It reacts only to failures, never to latency
 * below `timeout`, so it suits services that fail or time out when overloaded.
 *
 * The rule, for each sample with (fractional) estimate `L`; the limit is `floor(L)`:
 * - a call that started with more in flight than the limit is ignored: it ran under a load the limit
 *   has already left behind (TCP likewise backs off once per window, not once per lost packet;
 *   without this, one overload episode would cut the limit once for every call caught in it, down to
 *   `min`, and the successes still in flight after a cut would undo it);
 * - dropped, or latency above `timeout`: `L = max(min, min(L − 1, L × backoffRatio))`, so a drop
 *   lowers the limit by at least one;
 * - a success while the service was busy (`inFlight × 2 >= L`): until the first drop `L + 1` (slow
 *   start: the limit doubles every round trip, to find the service's range quickly), afterwards
 *   `L + 1 / L` (one more per round trip, the additive increase), at most `max`. Netflix's grows by
 *   one per sample throughout, which at high limits doubles the limit between two drops and keeps it
 *   swinging far past the service's capacity;
 * - a success while the service ran under half its limit changes nothing: it proves nothing about a
 *   higher limit, so the limit does not drift upwards while the caller is the bottleneck.
 *
 * Parameters and defaults: `initial` 10, `min` 1, `max` 200, `backoffRatio` 0.9 (in `[0.5, 1)`),
 * `timeout` 5000 ms. Bad options throw at once, naming the option and the value.
 *
 * @example
 * ```ts
 * import { AdaptiveService, aimdLimit } from 'rxjs-backpressure';
 *
 * const service = new AdaptiveService({
 *   handler: async (url: string) => (await fetch(url)).status,
 *   algorithm: aimdLimit({ initial: 4, max: 64, timeout: 2000 }),
 * });
 * ```
 */
export function aimdLimit(options?: AimdLimitOptions): LimitAlgorithm {
  const { initial, min, max, backoffRatio, timeout } = limitOptions(
    options,
    'aimdLimit',
    { initial: 10, min: 1, max: 200 },
    {
      backoffRatio: {
        fallback: 0.9,
        expected: 'a number from 0.5 up to (not including) 1',
        accepts: (value) => value >= 0.5 && value < 1,
      },
      timeout: {
        fallback: 5000,
        expected: 'a positive number of milliseconds (or Infinity)',
        accepts: (value) => value > 0,
      },
    },
  );
  let estimate = initial;
  let slowStart = true;
  return limitAlgorithm('aimdLimit', { initial, min, max }, (sample) => {
    if (sample.dropped || sample.latency > timeout) {
      slowStart = false;
      estimate = Math.max(min, Math.min(estimate - 1, estimate * backoffRatio));
    } else if (sample.inFlight * 2 >= estimate) {
      estimate = Math.min(max, estimate + (slowStart ? 1 : 1 / estimate));
    }
    return estimate;
  });
}
