import { describeValue } from '../../core/validation.js';

/**
 * An `OutputRule.items` as the run calls it. The rule is the user's code, called on every output
 * value while the run goes on, long after the options were checked: a result that is not an array
 * fails the run with a message naming the rule (`argument`), rather than miscounting the deliveries.
 */
export function checkedItems<T, R>(
  items: (value: R) => readonly T[],
  argument: string,
): (value: R) => readonly T[] {
  return (value) => {
    const delivered: unknown = items(value);
    if (!Array.isArray(delivered)) {
      throw new TypeError(`${argument}(value) must return an array, got ${describeValue(delivered)}.`);
    }
    return delivered as readonly T[];
  };
}
