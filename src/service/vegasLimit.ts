import { isPositiveCount, optionalFunction } from '../core/validation.js';
import { limitAlgorithm } from './internal/limitAlgorithm.js';
import type { LimitBoundsOptions } from './internal/limitBounds.js';
import { limitOptions, smoothingRule } from './internal/limitOptions.js';
import type { LimitAlgorithm, LimitSample } from './LimitAlgorithm.js';

/**
 * Options of {@link vegasLimit}: the bounds every limit takes (by default
 * `initial` 20, `min` 1, `max` 1000) and its own.
 *
 * @example
 * ```ts
 * import { type VegasLimitOptions, vegasLimit } from 'rxjs-backpressure';
 *
 * const options: VegasLimitOptions = {
 *   initial: 8,
 *   max: 256,
 *   alpha: 2,
 *   beta: 4,
 *   random: () => 0.5, // probes at a fixed interval, for repeatable tests
 * };
 * const algorithm = vegasLimit(options);
 * ```
 */
export interface VegasLimitOptions extends LimitBoundsOptions {
  /** Below `alpha × step` queued calls the limit grows, `> 0`. Default 3. */
  readonly alpha?: number | undefined;
  /** Above `beta × step` queued calls the limit shrinks, `> alpha`. Default 6. */
  readonly beta?: number | undefined;
  /** How far each sample moves the limit towards its new value, in `(0, 1]`. Default 1. */
  readonly smoothing?: number | undefined;
  /** The minimum latency is probed again about every `probeMultiplier × limit` samples, a positive integer. Default 30. */
  readonly probeMultiplier?: number | undefined;
  /** Source of the probe interval's jitter, returning numbers in `[0, 1)`. Default `Math.random`. */
  readonly random?: (() => number) | undefined;
}

/**
 * A latency-based limit after TCP Vegas, as in Netflix concurrency-limits' `VegasLimit`: it compares
 * each call's latency with the lowest latency seen (the latency without load) to estimate how many
 * calls are queueing, and keeps that queue small.
 *
 * The rule, for each sample with (fractional) estimate `L`; the limit is `floor(L)`, and
 * `step = max(1, floor(log10 L))` scales the thresholds as the limit grows:
 * - a call that started with more in flight than the limit is ignored: it ran under a load the limit
 *   has already left behind;
 * - `noLoad` is the lowest latency seen. Every `probeMultiplier × L × jitter` samples (jitter drawn
 *   from `[0.5, 1)`, so services sharing a backend do not probe in step) it is measured anew: the
 *   limit is halved for as many calls as that half (about one round trip), `noLoad` becomes the
 *   lowest latency among them, and the limit returns to where it was. A service whose base latency
 *   rose for good is so not judged against a minimum it can no longer reach. (Netflix's resets
 *   `noLoad` to the current latency instead, which under sustained load is queueing latency: the
 *   limit then ratchets upwards probe after probe.) A drop ends a probe early;
 * - a limit that has fallen to half its highest value since the last probe probes at once: the
 *   latency that drives it down may have risen for reasons other than load (a slower backend, a
 *   degraded dependency), and against a stale `noLoad` every call looks queued, so without this the
 *   limit falls step by step towards `min`, and stays there until the next scheduled probe, many
 *   round trips later. Queueing of our own calls survives the probe (it falls with the halved
 *   limit); a slower service does not (its latency stays, and becomes the new `noLoad`);
 * - the estimated queue is `queue = ceil(inFlight × (1 − noLoad / latency))`, the calls that ran beyond
 *   what the service completes at its no-load latency;
 * - `queue > beta × step`: shrink, `L − step`; a dropped call shrinks it likewise;
 * - until calls first queue (`queue >= alpha × step`) or one drops, every sample grows it by one
 *   (slow start: the limit doubles every round trip, to find the service's range quickly);
 * - afterwards the limit grows per round trip rather than per sample, as TCP Vegas adjusts its window:
 *   `queue <= step` (nothing queues) `L + beta × step / L`, `queue < alpha × step` `L + step / L`;
 *   between `alpha × step` and `beta × step` (the sweet spot) it stays. (Netflix's adds
 *   `beta × step` or `step` per sample, so a burst of calls that found no queue, such as the calls
 *   let in as a probe ends, throws the limit far past the service's capacity);
 * - a service running under half its limit (`inFlight × 2 < L`) grows nothing;
 * - the new value is clamped to `[min, max]` and smoothed, `L = L × (1 − smoothing) + new × smoothing`;
 * - a latency of 0 (faster than the clock can tell) says nothing about queueing and is ignored.
 *
 * Start below the service's real capacity (the default `initial` is modest): `noLoad` can only be
 * learnt from calls that did not queue.
 *
 * Parameters and defaults: `initial` 20, `min` 1, `max` 1000, `alpha` 3, `beta` 6, `smoothing` 1,
 * `probeMultiplier` 30, `random` `Math.random` (inject one for repeatable tests). Bad options throw at
 * once, naming the option and the value.
 *
 * @example
 * ```ts
 * import { AdaptiveService, vegasLimit } from 'rxjs-backpressure';
 *
 * const service = new AdaptiveService({
 *   handler: async (key: string) => key.toUpperCase(), // stands in for a remote call
 *   algorithm: vegasLimit({ initial: 4, max: 256 }),
 * });
 * ```
 */
export function vegasLimit(options?: VegasLimitOptions): LimitAlgorithm {
  const positiveFinite = (value: number): boolean => value > 0 && Number.isFinite(value);
  const { initial, min, max, alpha, beta, smoothing, probeMultiplier } = limitOptions(
    options,
    'vegasLimit',
    { initial: 20, min: 1, max: 1000 },
    {
      alpha: { fallback: 3, expected: 'a positive finite number', accepts: positiveFinite },
      beta: { fallback: 6, expected: 'a positive finite number', accepts: positiveFinite, above: 'alpha' },
      smoothing: smoothingRule(1),
      probeMultiplier: { fallback: 30, expected: 'a positive safe integer', accepts: isPositiveCount },
    },
    ['random'],
  );
  const random = optionalFunction(options?.random, 'vegasLimit(options).random') ?? Math.random;

  let estimate = initial;
  let noLoad = 0;
  let slowStart = true;
  let sinceProbe = 0;
  /** Samples still to take at the halved limit while probing for noLoad, and the estimate to resume. */
  let probing = 0;
  let resume = initial;
  /** The highest estimate since the last probe: a fall to half of it calls a probe now. */
  let highest = initial;
  let jitter = 0.5 + random() / 2;

  const next = (sample: LimitSample): number | undefined => {
    const step = Math.max(1, Math.floor(Math.log10(estimate)));
    if (sample.dropped) {
      slowStart = false;
      return estimate - step;
    }
    if (sample.inFlight * 2 < estimate) return undefined;
    const queue = Math.ceil(sample.inFlight * (1 - noLoad / sample.latency));
    if (queue > beta * step) {
      slowStart = false;
      return estimate - step;
    }
    if (slowStart && queue < alpha * step) return estimate + 1;
    slowStart = false;
    if (queue <= step) return estimate + (beta * step) / estimate;
    if (queue < alpha * step) return estimate + step / estimate;
    return undefined;
  };

  return limitAlgorithm('vegasLimit', { initial, min, max }, (sample) => {
    if (sample.dropped) {
      if (probing > 0) {
        probing = 0;
        estimate = resume;
      }
    } else {
      if (sample.latency === 0) return estimate;
      if (probing > 0) {
        noLoad = noLoad === 0 ? sample.latency : Math.min(noLoad, sample.latency);
        probing--;
        if (probing === 0) estimate = resume;
        return estimate;
      }
      sinceProbe++;
      if (sinceProbe >= jitter * probeMultiplier * estimate || (estimate <= highest / 2 && noLoad > 0)) {
        sinceProbe = 0;
        jitter = 0.5 + random() / 2;
        resume = estimate;
        highest = estimate;
        estimate = Math.max(min, estimate / 2);
        noLoad = 0;
        probing = Math.floor(estimate);
        return estimate;
      }
      if (noLoad === 0 || sample.latency < noLoad) {
        noLoad = sample.latency;
        return estimate;
      }
    }
    const target = next(sample);
    if (target === undefined) return estimate;
    estimate = estimate * (1 - smoothing) + Math.max(min, Math.min(max, target)) * smoothing;
    highest = Math.max(highest, estimate);
    return estimate;
  });
}
