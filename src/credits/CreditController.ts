import { Observable, type TeardownLogic } from 'rxjs';
import type { CreditProvider } from '../core/CreditProvider.js';
import { describeValue } from '../core/validation.js';
import { BackpressureError } from '../errors/BackpressureError.js';
import { addCredits } from '../internal/addCredits.js';
import { assertGrant } from '../internal/assertGrant.js';
import { type DirectCreditSignal, takeGrants } from '../internal/subscribeCredits.js';
import type { UpstreamHandlers } from '../internal/subscribeSafely.js';
import { creditsInUse } from './internal/creditsInUse.js';

/**
 * Options of {@link CreditController}.
 *
 * @example
 * ```ts
 * import { CreditController, type CreditControllerOptions } from 'rxjs-backpressure';
 *
 * const options: CreditControllerOptions = { initial: 16 }; // room for 16 items before the first grant
 * const credits = new CreditController(options);
 * ```
 */
export interface CreditControllerOptions {
  /** Credit granted before anything else happens: `0` (the default), a positive safe integer or `Infinity`. */
  readonly initial?: number;
}

/**
 * The consumer's hand on demand: `grant(n)` says "`n` more items may be sent", and `credits$` carries
 * those grants to whatever is subscribed (usually {@link requestCredits}).
 *
 * - Grants add up; a total beyond `Number.MAX_SAFE_INTEGER`, or a grant of `Infinity`, is unbounded.
 * - Grants made while nobody is subscribed are kept and handed over, as one grant, to the next
 *   subscriber, so nothing is lost between creating the controller and subscribing the pipeline.
 * - A grant is never spent twice: `credits$` takes one subscriber at a time. A second concurrent
 *   subscription errors at once with a {@link BackpressureError} of code `'ERR_CREDITS_IN_USE'`;
 *   subscribing again after the first one ended (`retry`, `repeat`) is fine, and it receives only
 *   grants made since then (credit already handed to the first subscriber stays spent with it).
 *
 * @example
 * ```ts
 * import { range } from 'rxjs';
 * import { CreditController, requestCredits } from 'rxjs-backpressure';
 *
 * const credits = new CreditController({ initial: 2 });
 * range(0, 5)
 *   .pipe(requestCredits(credits))
 *   .subscribe((item) => {
 *     console.log(item); // 0, 1, 2, 3, 4: each item asks for the next
 *     credits.grant(1);
 *   });
 * ```
 */
export class CreditController implements CreditProvider {
  /** The credit signal: every grant, in order, to one subscriber at a time. */
  readonly credits$: Observable<number>;

  #pending: number;
  /** The one taker of grants: a subscriber of `credits$`, or a consumer that took them directly. */
  #taker: UpstreamHandlers<number> | undefined;
  #completed = false;

  constructor(options: CreditControllerOptions = {}) {
    const initial = options.initial ?? 0;
    if (initial !== 0) assertGrant(initial, 'options.initial');
    this.#pending = initial;
    const take = (taker: UpstreamHandlers<number>): TeardownLogic => this.#take(taker);
    // Declared a plain Observable, so the direct channel stays out of the public surface. It sits on
    // `credits$` rather than on the controller: a subclass that replaces `credits$` is then honoured.
    this.credits$ = Object.assign(new Observable<number>(take), {
      [takeGrants]: take,
    }) satisfies DirectCreditSignal;
  }

  /**
   * Grants `n` more credits: a positive safe integer, or `Infinity` for unbounded demand. Throws a
   * `TypeError` for a non-number and a `RangeError` for any other number, naming the value.
   */
  grant(n: number): void {
    assertGrant(n, 'grant(n): n');
    if (this.#completed) {
      throw new BackpressureError(
        'ERR_CREDITS_COMPLETED',
        `grant(${describeValue(n)}) was called after complete(): no more credits can come.`,
      );
    }
    if (this.#taker !== undefined) {
      this.#taker.next(n);
    } else {
      this.#pending = addCredits(this.#pending, n);
    }
  }

  /** Says that no more credits will come: `credits$` completes (now, or on its next subscription). */
  complete(): void {
    if (this.#completed) return;
    this.#completed = true;
    if (this.#taker !== undefined) this.#finish(this.#taker);
  }

  #take(taker: UpstreamHandlers<number>): TeardownLogic {
    if (this.#taker !== undefined) {
      taker.error(creditsInUse('CreditController'));
      return undefined;
    }
    this.#taker = taker;
    const pending = this.#pending;
    this.#pending = 0;
    if (pending > 0) taker.next(pending);
    // Completed before it came: finish it now, unless complete() was called inside that `next` and
    // finished it already.
    if (this.#completed && this.#taker === taker) this.#finish(taker);
    return () => {
      if (this.#taker === taker) this.#taker = undefined;
    };
  }

  /**
   * Completes the taker and lets go of it, so the controller is free again at once, as a subscriber's
   * own teardown would free it; a direct taker has no teardown until its consumer ends.
   */
  #finish(taker: UpstreamHandlers<number>): void {
    taker.complete();
    if (this.#taker === taker) this.#taker = undefined;
  }
}
