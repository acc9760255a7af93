import { Subscriber } from 'rxjs';
import type { Gate } from './Gate.js';

/**
 * The subscriber through which requestCredits feeds its gate. A class of its own with its own `next`,
 * so that in a process running many kinds of pipelines the per-item path stays monomorphic: RxJS's
 * shared `Subscriber#next` dispatches to `_next` from one megamorphic call site, and a handlers object
 * would add a closure call that differs per operator.
 */
export class GateSubscriber<T> extends Subscriber<T> {
  readonly #gate: Gate<T>;
  readonly #delayError: boolean;

  constructor(gate: Gate<T>, delayError: boolean) {
    super();
    this.#gate = gate;
    this.#delayError = delayError;
  }

  override next(item: T): void {
    if (this.isStopped) super.next(item);
    else this.#gate.offer(item);
  }

  protected override _error(error: unknown): void {
    try {
      this.#gate.sourceError(error, this.#delayError);
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    try {
      this.#gate.sourceComplete();
    } finally {
      this.unsubscribe();
    }
  }
}
