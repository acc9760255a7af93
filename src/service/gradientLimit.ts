import { isPositiveCount } from '../core/validation.js';
import { limitAlgorithm } from './internal/limitAlgorithm.js';
import type { LimitBoundsOptions } from './internal/limitBounds.js';
import { limitOptions, smoothingRule } from './internal/limitOptions.js';
import type { LimitAlgorithm } from './LimitAlgorithm.js';

/**
 * Options of {@link gradientLimit}: the bounds every limit takes (by default
 * `initial` 20, `min` 1, `max` 200) and its own.
 *
 * @example
 * ```ts
 * import { type GradientLimitOptions, gradientLimit } from 'rxjs-backpressure';
 *
 * // Slower, steadier steps, a smaller queue allowance and a shorter memory of latency than the defaults.
 * const options: GradientLimitOptions = {
 *   initial: 10,
 *   max: 100,
 *   smoothing: 0.1,
 *   queueSize: 2,
 *   longWindow: 300,
 * };
 * const algorithm = gradientLimit(options);
 * ```
 */
export interface GradientLimitOptions extends LimitBoundsOptions {
  /** How far each sample moves the limit towards its new estimate, in `(0, 1]`. Default 0.2. */
  readonly smoothing?: number | undefined;
  /** Calls the limit may grow by while latency stays at its long-term level, `>= 0`. Default 4. */
  readonly queueSize?: number | undefined;
  /** Samples the long-term latency averages over (an exponential average), a positive integer. Default 600. */
  readonly longWindow?: number | undefined;
}

/** Samples averaged plainly before the long-term average turns exponential, so it starts from data. */
const warmupSamples = 10;
/** How many times more slowly the long-term average absorbs latency above it than below it. */
const riseDamping = 10;
/**
 * The share of the latency that began a fall which, still there once the limit has halved, marks the
 * rise as the service's own rather than our queue's.
 */
const latencyKept = 0.75;

/**
 * A latency-based limit from the ratio of long-term to short-term latency, after Netflix
 * concurrency-limits' `Gradient2Limit`. Latency rising above its long-term level means calls are
 * queueing, so the limit shrinks in proportion; latency at its usual level lets it grow by a small
 * queue allowance.
 *
 * The rule, for each sample with (fractional) estimate `L`; the limit is `floor(L)`:
 * - a call that started with more in flight than the limit is ignored: it ran under a load the limit
 *   has already left behind, and counting it would cut the limit again for the same overload;
 * - short-term latency is the sample's; long-term latency is its exponential average over
 *   `longWindow` samples (factor `2 / (longWindow + 1)`, a plain mean for the first 10 samples);
 *   unlike Netflix's, the average absorbs latency above it ten times more slowly than latency below
 *   it, because while the limit is past the knee the rise is of its own making; a symmetric average
 *   would soon take the queueing delay for the norm and let the limit climb without end;
 * - when long-term latency exceeds twice the short-term one (load has passed and latency recovered),
 *   long-term latency is cut by 10% per sample so the limit is not held down by the past;
 * - when the service was not busy (`inFlight < L / 2`) the limit stays, so it does not drift up
 *   while the caller, not the service, is the bottleneck;
 * - otherwise `gradient = clamp(longTerm / shortTerm, 0.5, 1)`, `target = L × gradient + queueSize`
 *   and `L = L × (1 − smoothing) + target × smoothing`, clamped to `[min, max]`: at rest the limit
 *   settles where latency exceeds its long-term level by about `queueSize / L`, a few calls past the
 *   knee;
 * - a dropped call counts as the steepest gradient without queue allowance,
 *   `L = max(min, L × (1 − smoothing / 2))`, and its latency is not averaged in (a failure is often
 *   fast, and would make latency look better than it is);
 * - a latency of 0 (faster than the clock can tell) says nothing about queueing and is ignored;
 * - once the limit has fallen to half of where its current fall began, the latency tells whose the
 *   rise was: queueing of our own calls shortens as our load halves, so a latency still at 3/4 or
 *   more of the one that began the fall is the service's own (a slower backend, a degraded
 *   dependency), and the long-term latency takes it at once. Without this a service ten times
 *   slower for reasons other than load held the limit at `2 × queueSize` for thousands of samples
 *   (measured in virtual time: below a knee of 30 for 5,900 samples, about 40 s), until the slow
 *   average caught up.
 *
 * The long-term average still absorbs persistent latency, slowly, so that a service whose latency
 * rose for good (not from load) gets its limit back even where the rule above cannot tell; under
 * sustained overload the limit therefore creeps up by about `queueSize × 2 / (10 × longWindow)` per
 * sample. {@link vegasLimit}, which probes for the latency without load, does not creep.
 *
 * Parameters and defaults: `initial` 20, `min` 1, `max` 200, `smoothing` 0.2, `queueSize` 4,
 * `longWindow` 600. Bad options throw at once, naming the option and the value.
 *
 * @example
 * ```ts
 * import { AdaptiveService, gradientLimit } from 'rxjs-backpressure';
 *
 * const service = new AdaptiveService({
 *   handler: async (query: string) => query.length, // stands in for a database call
 *   algorithm: gradientLimit({ initial: 10, max: 100 }),
 * });
 * ```
 */
export function gradientLimit(options?: GradientLimitOptions): LimitAlgorithm {
  const { initial, min, max, smoothing, queueSize, longWindow } = limitOptions(
    options,
    'gradientLimit',
    { initial: 20, min: 1, max: 200 },
    {
      smoothing: smoothingRule(0.2),
      queueSize: {
        fallback: 4,
        expected: 'a non-negative finite number',
        accepts: (value) => value >= 0 && Number.isFinite(value),
      },
      longWindow: { fallback: 600, expected: 'a positive safe integer', accepts: isPositiveCount },
    },
  );
  const decay = 2 / (longWindow + 1);
  let estimate = initial;
  let longTerm = 0;
  let samples = 0;
  /** Where the current fall of the limit began, and the latency that began it (0: not falling). */
  let fallFrom = initial;
  let fallLatency = 0;

  return limitAlgorithm('gradientLimit', { initial, min, max }, (sample) => {
    if (sample.dropped) {
      estimate = Math.max(min, estimate * (1 - smoothing / 2));
    } else if (sample.latency > 0) {
      const shortTerm = sample.latency;
      if (samples < warmupSamples) {
        samples++;
        longTerm += (shortTerm - longTerm) / samples;
      } else {
        longTerm += (shortTerm - longTerm) * (shortTerm < longTerm ? decay : decay / riseDamping);
      }
      if (longTerm > 2 * shortTerm) longTerm *= 0.9;
      if (sample.inFlight >= estimate / 2) {
        if (fallLatency > 0 && estimate <= fallFrom / 2) {
          // Our load has halved since the fall began: our own queue would have shortened with it.
          if (shortTerm >= latencyKept * fallLatency) longTerm = shortTerm;
          fallLatency = 0;
        }
        const gradient = Math.max(0.5, Math.min(1, longTerm / shortTerm));
        const target = estimate * gradient + queueSize;
        if (target >= estimate) {
          fallLatency = 0;
        } else if (fallLatency === 0) {
          fallFrom = estimate;
          fallLatency = shortTerm;
        }
        estimate = Math.max(min, Math.min(max, estimate * (1 - smoothing) + target * smoothing));
      }
    }
    return estimate;
  });
}
