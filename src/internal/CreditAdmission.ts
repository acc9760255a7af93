import { describeValue } from '../core/validation.js';
import { CreditsExhaustedError } from '../errors/CreditsExhaustedError.js';
import type { Admission } from './Admission.js';
import { addCredits } from './addCredits.js';
import type { CreditAccount } from './subscribeCredits.js';

/**
 * Admission by credit: an item passes when outstanding credit covers its cost. Outstanding credit is
 * `Infinity` once demand is unbounded (a grant of `Infinity`, or a total beyond `MAX_SAFE_INTEGER`,
 * Reactive Streams §3.17); from then on nothing is counted.
 */
export class CreditAdmission<T> implements Admission<T>, CreditAccount {
  /** Credits granted and not yet spent. */
  outstanding = 0;
  onSpend: ((credits: number) => void) | undefined = undefined;
  ceiling = Number.POSITIVE_INFINITY;
  readonly #cost: ((item: T) => number) | undefined;
  #costOfAdmitted = 1;

  constructor(cost: ((item: T) => number) | undefined) {
    this.#cost = cost;
  }

  /** Adds a grant that has already been validated. */
  grant(credits: number): void {
    this.outstanding = addCredits(this.outstanding, credits);
  }

  admits(item: T): boolean {
    if (this.#cost === undefined) return this.outstanding >= 1;
    const cost = this.#cost(item);
    if (!Number.isSafeInteger(cost) || cost < 1) {
      throw new RangeError(
        `options.cost(item) must return a positive safe integer, got ${describeValue(cost)}.`,
      );
    }
    if (cost > this.ceiling) {
      throw new RangeError(
        `options.cost(item) is ${cost}, more than the ${this.ceiling} credits the credit signal ever has outstanding at once (a rateCredits burst): this item could never pass.`,
      );
    }
    this.#costOfAdmitted = cost;
    return this.outstanding >= cost;
  }

  admit(): void {
    if (this.outstanding === Number.POSITIVE_INFINITY) return;
    const cost = this.#cost === undefined ? 1 : this.#costOfAdmitted;
    this.outstanding -= cost;
    if (this.onSpend !== undefined) this.onSpend(cost);
  }

  refusal(item: T): CreditsExhaustedError<T> {
    return new CreditsExhaustedError(item, this.outstanding);
  }
}
