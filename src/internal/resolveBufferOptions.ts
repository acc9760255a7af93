import type { SchedulerLike } from 'rxjs';
import type { BackpressureStrategy, BufferOptions, OverflowPolicy } from '../operators/BufferOptions.js';
import type { DropReason } from '../operators/DropReason.js';
import { describeValue } from './describeValue.js';
import { numberOption } from './numberOption.js';
import { schedulerOption } from './schedulerOption.js';

/** {@link BufferOptions} checked once, with every default filled in. */
export interface ResolvedBufferOptions<T> {
  readonly strategy: BackpressureStrategy;
  /**
   * How many items may wait: `bufferSize` for `'buffer'`, 1 for `'latest'` (`maxKeys * perKey` with a
   * key), 0 otherwise.
   */
  readonly bufferSize: number;
  readonly overflow: OverflowPolicy;
  readonly priority: ((item: T) => number) | undefined;
  /** `'latest'` with a key only: the key of an item; otherwise `undefined`. */
  readonly key: ((item: T) => unknown) | undefined;
  readonly perKey: number;
  readonly maxKeys: number;
  readonly ttl: number | undefined;
  readonly onDrop: ((item: T, reason: DropReason) => void) | undefined;
  readonly scheduler: SchedulerLike;
}

const strategies: readonly BackpressureStrategy[] = ['buffer', 'drop', 'latest', 'error'];
const bufferOptionKeys = [
  'strategy',
  'bufferSize',
  'overflow',
  'priority',
  'key',
  'perKey',
  'maxKeys',
  'ttl',
  'onDrop',
  'scheduler',
];

/**
 * A misspelt option (`buffersize`) would otherwise be ignored without a word, and the buffer would
 * silently keep its default: refuse it, and point at the option it most likely meant.
 */
export function refuseUnknownKeys(options: object, known: readonly string[], argument: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const meant = known.find((name) => name.toLowerCase() === key.toLowerCase());
    throw new TypeError(
      `${argument}.${key} is not an option here${meant === undefined ? '' : ` (did you mean ${meant}?)`}; the options are ${known.join(', ')}.`,
    );
  }
}
const overflowPolicies: readonly OverflowPolicy[] = ['error', 'drop-oldest', 'drop-incoming', 'drop-lowest'];
const defaultBufferSize = 1024;

/** Checks that `value` is one of `allowed`: a `TypeError` for a non-string, a `RangeError` otherwise. */
export function oneOf<V extends string>(value: unknown, allowed: readonly V[], argument: string): V {
  if (typeof value !== 'string') {
    throw new TypeError(`${argument} must be one of ${allowed.join(', ')}; got ${describeValue(value)}.`);
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${argument} must be one of ${allowed.join(', ')}; got ${describeValue(value)}.`);
  }
  return value as V;
}

function positiveCount(value: unknown, argument: string): number {
  return numberOption(
    value,
    argument,
    'a positive integer',
    (count) => Number.isSafeInteger(count) && count >= 1,
  );
}

/** Checks that an optional callback is a function, naming it otherwise. */
export function optionalFunction<F>(value: F | undefined, argument: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${argument} must be a function, got ${describeValue(value)}.`);
  }
  return value;
}

/** Checks that `value` is an object (the options bag itself), naming it otherwise. */
export function optionsObject<O extends object>(value: O | undefined, argument: string): O | Partial<O> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${argument} must be an object, got ${describeValue(value)}.`);
  }
  return value;
}

/**
 * Validates the strategy part of an operator's options when the operator is created (never at the
 * first item), with an error that names the option and the value, and fills in the defaults.
 */
export function resolveBufferOptions<T>(
  given: BufferOptions<T> | undefined,
  argument: string,
  operatorKeys: readonly string[],
): ResolvedBufferOptions<T> {
  const options = optionsObject(given, argument);
  refuseUnknownKeys(options, [...bufferOptionKeys, ...operatorKeys], argument);
  const strategy = oneOf(options.strategy ?? 'buffer', strategies, `${argument}.strategy`);
  const buffered = strategy === 'buffer';
  const key = optionalFunction(options.key, `${argument}.key`);
  // An operator that reads `key` itself (withHandshake's order per key) takes it with any strategy.
  if (key !== undefined && strategy !== 'latest' && !operatorKeys.includes('key')) {
    throw new TypeError(`${argument}.key applies only to strategy 'latest', not '${strategy}'.`);
  }
  const keyed = strategy === 'latest' && key !== undefined;
  for (const name of ['bufferSize', 'overflow', 'priority'] as const) {
    if (!buffered && options[name] !== undefined && !(keyed && name === 'overflow')) {
      throw new TypeError(
        `${argument}.${name} applies only to strategy 'buffer'${name === 'overflow' ? " (or 'latest' with a key)" : ''}, not '${strategy}'.`,
      );
    }
  }
  for (const name of ['perKey', 'maxKeys'] as const) {
    if (!keyed && options[name] !== undefined) {
      throw new TypeError(`${argument}.${name} applies only to strategy 'latest' with a key.`);
    }
  }
  const perKey = positiveCount(options.perKey ?? 1, `${argument}.perKey`);
  const maxKeys = positiveCount(options.maxKeys ?? defaultBufferSize, `${argument}.maxKeys`);
  if (options.ttl !== undefined && strategy !== 'buffer' && strategy !== 'latest') {
    throw new TypeError(
      `${argument}.ttl applies only to strategies 'buffer' and 'latest', not '${strategy}'.`,
    );
  }

  const bufferSize = positiveCount(options.bufferSize ?? defaultBufferSize, `${argument}.bufferSize`);
  const overflow = oneOf(options.overflow ?? 'error', overflowPolicies, `${argument}.overflow`);
  if (keyed && overflow === 'drop-oldest' && perKey > 1) {
    throw new TypeError(
      `${argument}.overflow 'drop-oldest' with ${argument}.perKey ${perKey} would evict one item of a key that keeps waiting; use perKey 1, or overflow 'drop-incoming' or 'error'.`,
    );
  }
  const priority = optionalFunction(options.priority, `${argument}.priority`);
  if (overflow === 'drop-lowest' && priority === undefined) {
    throw new TypeError(
      `${argument}.overflow 'drop-lowest' needs ${argument}.priority to tell which item is lowest.`,
    );
  }
  const ttl =
    options.ttl === undefined
      ? undefined
      : numberOption(
          options.ttl,
          `${argument}.ttl`,
          'a positive finite number of milliseconds',
          (value) => value > 0 && Number.isFinite(value),
        );

  return {
    strategy,
    bufferSize: buffered ? bufferSize : keyed ? maxKeys * perKey : strategy === 'latest' ? 1 : 0,
    overflow,
    priority,
    key: keyed ? key : undefined,
    perKey,
    maxKeys,
    ttl,
    onDrop: optionalFunction(options.onDrop, `${argument}.onDrop`),
    scheduler: schedulerOption(options.scheduler, `${argument}.scheduler`),
  };
}
