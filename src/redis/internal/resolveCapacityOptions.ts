import type { Redis } from 'ioredis';
import {
  booleanOption,
  describeValue,
  isNonNegativeCount,
  isPositiveCount,
  knownOptions,
  numberOption,
} from '../../core/validation.js';
import type { DistributedCapacityOptions } from '../DistributedCapacityOptions.js';
import { type CapacityKeys, capacityKeys } from './capacityKeys.js';
import { checkClient } from './checkClient.js';
import { keyOption } from './keyOption.js';

/**
 * The options of `DistributedCapacity` once checked, defaults filled in, and its key turned into the
 * keys the scripts use: a bad option is refused by the constructor, before any I/O.
 */
export interface CapacitySettings<Req, Res> {
  readonly redis: Redis;
  readonly keys: CapacityKeys;
  readonly capacity: number;
  readonly handler: (req: Req, signal: AbortSignal, token: number) => Promise<Res> | Res;
  readonly leaseTtl: number;
  readonly reuseFor: number;
  readonly epochGuard: boolean;
}

const optionKeys = ['redis', 'key', 'capacity', 'handler', 'leaseTtl', 'reuseFor', 'epochGuard'];

/** Checks the options of `DistributedCapacity`, each error naming the option and the value. */
export function resolveCapacityOptions<Req, Res>(
  options: DistributedCapacityOptions<Req, Res>,
): CapacitySettings<Req, Res> {
  const given = knownOptions(options, optionKeys, 'options');
  const redis = checkClient(given.redis, 'options.redis');
  const keys = capacityKeys(keyOption(given.key, 'options.key'));
  const capacity = numberOption(
    given.capacity,
    'options.capacity',
    'a positive safe integer',
    isPositiveCount,
  );
  if (typeof given.handler !== 'function') {
    throw new TypeError(`options.handler must be a function, got ${describeValue(given.handler)}.`);
  }
  return {
    redis,
    keys,
    capacity,
    handler: given.handler,
    leaseTtl: numberOption(
      given.leaseTtl ?? 10_000,
      'options.leaseTtl',
      'a positive integer of milliseconds',
      (n) => Number.isSafeInteger(n) && n >= 4,
    ),
    reuseFor: numberOption(
      given.reuseFor ?? 250,
      'options.reuseFor',
      'a non-negative integer of milliseconds',
      isNonNegativeCount,
    ),
    epochGuard: booleanOption(given.epochGuard ?? true, 'options.epochGuard'),
  };
}
