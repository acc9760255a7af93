import { describeValue, isPositiveCount, numberOption } from '../../core/validation.js';

/** The bounds every limit algorithm shares, checked. */
export interface LimitBounds {
  readonly initial: number;
  readonly min: number;
  readonly max: number;
}

/**
 * The options every built-in limit algorithm's options extend (`AimdLimitOptions` and its siblings),
 * checked into {@link LimitBounds}. Each algorithm gives its own defaults for `initial` and `max` in
 * its options' description.
 */
export interface LimitBoundsOptions {
  /** The limit before any sample, within `[min, max]`. */
  readonly initial?: number | undefined;
  /** The smallest limit, a positive integer. Default 1. */
  readonly min?: number | undefined;
  /** The largest limit, an integer `>= min`. */
  readonly max?: number | undefined;
}

/**
 * Checks `initial`, `min` and `max` when a limit algorithm is created: positive safe integers with
 * `min <= initial <= max`, each error naming the option (under `argument`) and the value. A limit below
 * 1 is refused because a service admitting nothing produces no samples to grow the limit back.
 */
export function limitBounds(
  options: LimitBoundsOptions,
  defaults: LimitBounds,
  argument: string,
): LimitBounds {
  const expected = 'a positive safe integer';
  const min = numberOption(options.min ?? defaults.min, `${argument}.min`, expected, isPositiveCount);
  const max = numberOption(
    options.max ?? Math.max(min, defaults.max),
    `${argument}.max`,
    expected,
    isPositiveCount,
  );
  if (max < min) {
    throw new RangeError(
      `${argument}.max must be at least ${argument}.min (${min}), got ${describeValue(max)}.`,
    );
  }
  const initial = numberOption(
    options.initial ?? Math.min(max, Math.max(min, defaults.initial)),
    `${argument}.initial`,
    `a safe integer from min (${min}) to max (${max})`,
    (value) => Number.isSafeInteger(value) && value >= min && value <= max,
  );
  return { initial, min, max };
}
