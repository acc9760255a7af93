import { describeValue } from '../../core/validation.js';
import type { WithHandshakeOptions } from '../WithHandshakeOptions.js';

/** How withHandshake orders results: by call for the whole stream, or within each key. */
export interface ResultOrder<T> {
  /** `undefined`: one order for the whole stream. */
  readonly key: ((item: T) => unknown) | undefined;
}

/**
 * Checks `options.ordered` and `options.key` of withHandshake: `undefined` for completion order, else
 * the order to keep. `'per-key'` needs `key`; `key` without it serves only `strategy: 'latest'`.
 */
export function resultOrder<T>(options: WithHandshakeOptions<T> | undefined): ResultOrder<T> | undefined {
  const ordered: unknown = options?.ordered ?? false;
  const key = options?.key;
  if (ordered !== true && ordered !== false && ordered !== 'per-key') {
    throw new TypeError(
      `options.ordered must be a boolean, got ${describeValue(ordered)}; or 'per-key', with options.key, for order within a key.`,
    );
  }
  if (ordered === 'per-key') {
    if (typeof key !== 'function') {
      throw new TypeError(
        `options.ordered 'per-key' needs options.key, a function from an item to its key; got ${describeValue(key)}.`,
      );
    }
    return { key };
  }
  if (key !== undefined && options?.strategy !== 'latest') {
    throw new TypeError(
      "options.key applies only to ordered 'per-key' or strategy 'latest'; with neither it would be ignored.",
    );
  }
  return ordered ? { key: undefined } : undefined;
}
