import { BackpressureError } from './BackpressureError.js';

/**
 * Raised by the `'error'` strategy when an item arrives and there is no credit for it. It carries the
 * item and the credit that was outstanding (less than the item's cost).
 *
 * @example
 * ```ts
 * import { CreditsExhaustedError } from 'rxjs-backpressure';
 *
 * const error = new CreditsExhaustedError('job-7', 0);
 * console.log(error.code); // 'ERR_CREDITS_EXHAUSTED'
 * ```
 */
export class CreditsExhaustedError<T = unknown> extends BackpressureError {
  /** The item that arrived without credit. */
  readonly item: T;
  /** The credit that was outstanding when the item arrived. */
  readonly outstanding: number;

  constructor(item: T, outstanding: number) {
    super(
      'ERR_CREDITS_EXHAUSTED',
      `An item arrived with ${outstanding} credit outstanding, not enough for it, and strategy is 'error'.`,
    );
    this.item = item;
    this.outstanding = outstanding;
  }
}
