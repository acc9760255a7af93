import type { SchedulerLike } from 'rxjs';
import type { BackpressureStrategy, BufferOptions, OverflowPolicy } from '../core/BufferOptions.js';
import type { DropReason } from '../core/DropReason.js';
import { isPositiveCount, knownOptions, numberOption, oneOf, optionalFunction } from '../core/validation.js';
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
  /** Set when the gate belongs to a stream bridge (see {@link BridgeHooks}). */
  readonly bridge: BridgeHooks | undefined;
}

/** @internal What a stream bridge tells the `requestCredits` gate it is built on. */
export interface BridgeHooks {
  /** What to do about an overflow, added to the `BufferOverflowError`'s message. */
  readonly overflowAdvice: string;
  /** Told each subscription's gate, whose `received` counts the items that reached it. */
  readonly watchLedger?: ((ledger: { readonly received: number }) => void) | undefined;
}

/**
 * @internal The key of a bridge's {@link BridgeHooks} in the options it gives `requestCredits`. A
 * symbol, so no user's option can name it and the check of unknown options (string keys) lets it
 * through.
 */
export const bridgeHooks: unique symbol = Symbol('rxjs-backpressure.bridgeHooks');

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

const overflowPolicies: readonly OverflowPolicy[] = ['error', 'drop-oldest', 'drop-incoming', 'drop-lowest'];
const defaultBufferSize = 1024;

function positiveCount(value: unknown, argument: string): number {
  return numberOption(value, argument, 'a positive integer', isPositiveCount);
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
  const options = knownOptions(given, [...bufferOptionKeys, ...operatorKeys], argument);
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
    bridge: (options as { [bridgeHooks]?: BridgeHooks })[bridgeHooks],
  };
}
