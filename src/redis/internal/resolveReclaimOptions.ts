import { isPositiveCount, numberOption, optionalFunction } from '../../core/validation.js';
import type { RedisDeadLetter } from '../RedisStreamDelivery.js';
import type { RedisStreamOptions } from '../RedisStreamOptions.js';
import { keyOption } from './keyOption.js';

/**
 * The reclaim policy of `fromRedisStream`, checked: when an idle entry is taken over, and where it goes
 * once it has been delivered too often. Its own piece because it is what `StreamReclaimer` runs on, and
 * the one part of the options where `Infinity` means "never".
 */
export interface ReclaimSettings {
  readonly claimIdle: number;
  readonly maxDeliveries: number;
  readonly deadLetterStream: string;
  readonly onDeadLetter: ((entry: RedisDeadLetter) => void) | undefined;
}

const positiveIntegerOrInfinity = (value: number): boolean =>
  isPositiveCount(value) || value === Number.POSITIVE_INFINITY;

/** Checks the reclaim options of `given` (the options of a read of `stream`), defaults filled in. */
export function resolveReclaimOptions(given: Partial<RedisStreamOptions>, stream: string): ReclaimSettings {
  return {
    claimIdle: numberOption(
      given.claimIdle ?? 30_000,
      'options.claimIdle',
      'a positive integer of milliseconds or Infinity',
      positiveIntegerOrInfinity,
    ),
    maxDeliveries: numberOption(
      given.maxDeliveries ?? Number.POSITIVE_INFINITY,
      'options.maxDeliveries',
      'a positive integer or Infinity',
      positiveIntegerOrInfinity,
    ),
    deadLetterStream: keyOption(given.deadLetterStream ?? `${stream}:dead`, 'options.deadLetterStream'),
    onDeadLetter: optionalFunction(given.onDeadLetter, 'options.onDeadLetter'),
  };
}
