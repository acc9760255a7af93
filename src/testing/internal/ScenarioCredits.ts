import { Observable } from 'rxjs';
import type { CreditProvider } from 'rxjs-backpressure';
import { CreditController } from 'rxjs-backpressure';
import type { TraceLog } from './TraceLog.js';

/**
 * The consumer's credit in a run: a `CreditController` behind a provider that records who subscribes
 * to it, the grants made from outside, and the grants armed to be made from inside `next`
 * (re-entrant), one per delivery, in order.
 */
export class ScenarioCredits {
  readonly provider: CreditProvider;
  readonly #log: TraceLog<unknown, unknown>;
  readonly #controller: CreditController;
  readonly #armed: number[] = [];
  #nextArmed = 0;

  /** Holds `initial` credit from the start, recorded as granted before anything subscribes. */
  constructor(initial: number, log: TraceLog<unknown, unknown>) {
    this.#log = log;
    const controller = new CreditController({ initial });
    this.#controller = controller;
    const credits$ = controller.credits$;
    this.provider = {
      credits$: new Observable<number>((subscriber) => {
        log.record({ kind: 'creditsSubscribed' });
        subscriber.add(() => log.record({ kind: 'creditsReleased' }));
        return credits$.subscribe(subscriber);
      }),
    };
    if (initial > 0) log.record({ kind: 'granted', credits: initial, reentrant: false });
  }

  /** Grants from outside any callback. */
  grant(credits: number): void {
    this.#log.record({ kind: 'granted', credits, reentrant: false });
    this.#controller.grant(credits);
  }

  /** Arms a grant, made from inside a later delivery's `next` (see {@link grantArmed}). */
  arm(credits: number): void {
    this.#armed.push(credits);
  }

  /** Makes the next armed grant, if any: called from inside `next`. */
  grantArmed(): void {
    const credits = this.#armed[this.#nextArmed];
    if (credits === undefined) return;
    this.#nextArmed += 1;
    this.#log.record({ kind: 'granted', credits, reentrant: true });
    this.#controller.grant(credits);
  }
}
