import { isPositiveCount, knownOptions, numberOption, optionalFunction } from '../../core/validation.js';
import type { OutputRule } from '../OutputRule.js';
import { checkedItems } from './checkedItems.js';

/** An {@link OutputRule}, checked, with its default filled in. */
export interface ResolvedOutputRule<T, R> {
  readonly items: ((value: R) => readonly T[]) | undefined;
  readonly batchSize: number;
}

/** Checks an output rule when the check or the run is called, naming `argument` and the value. */
export function resolveOutputRule<T, R>(
  given: OutputRule<T, R> | undefined,
  argument: string,
): ResolvedOutputRule<T, R> {
  const rule = knownOptions(given, ['items', 'batchSize'], argument);
  const items = optionalFunction(rule.items, `${argument}.items`);
  return {
    items: items === undefined ? undefined : checkedItems(items, `${argument}.items`),
    batchSize: numberOption(
      rule.batchSize ?? 1,
      `${argument}.batchSize`,
      'a positive safe integer',
      isPositiveCount,
    ),
  };
}
