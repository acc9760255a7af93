import { booleanOption, isPositiveCount, knownOptions, numberOption } from '../../core/validation.js';
import type { RedisStreamOptions } from '../RedisStreamOptions.js';
import { keyOption } from './keyOption.js';
import { type ReclaimSettings, resolveReclaimOptions } from './resolveReclaimOptions.js';

/**
 * The options of `fromRedisStream` once checked, defaults filled in: what its consumer reads, so that
 * a bad option is refused when `fromRedisStream` is called rather than on the first read.
 */
export interface StreamSettings extends ReclaimSettings {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  readonly createGroup: boolean;
  readonly block: number;
  readonly fenced: boolean;
}

const optionKeys = [
  'stream',
  'group',
  'consumer',
  'createGroup',
  'block',
  'claimIdle',
  'maxDeliveries',
  'deadLetterStream',
  'onDeadLetter',
  'fenced',
];

/** Checks the options of `fromRedisStream`, each error naming the option and the value. */
export function resolveStreamOptions(options: RedisStreamOptions): StreamSettings {
  const given = knownOptions(options, optionKeys, 'options');
  const stream = keyOption(given.stream, 'options.stream');
  return {
    stream,
    group: keyOption(given.group, 'options.group'),
    consumer: keyOption(given.consumer, 'options.consumer'),
    createGroup: booleanOption(given.createGroup ?? true, 'options.createGroup'),
    block: numberOption(
      given.block ?? 1_000,
      'options.block',
      'a positive integer of milliseconds',
      isPositiveCount,
    ),
    ...resolveReclaimOptions(given, stream),
    fenced: booleanOption(given.fenced ?? false, 'options.fenced'),
  };
}
