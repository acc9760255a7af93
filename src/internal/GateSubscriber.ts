import type { Gate } from './Gate.js';
import { SourceSubscriber } from './SourceSubscriber.js';

/**
 * The subscriber through which `requestCredits` and `withHandshake` feed their gate. A class of its
 * own, so that in a process running many kinds of pipelines the per-item path stays monomorphic: a
 * handlers object would add a closure call that differs per operator.
 */
export class GateSubscriber<T> extends SourceSubscriber<T> {
  readonly #gate: Gate<T>;
  /** Whether a source error waits until the waiting items are delivered (`requestCredits`' `delayError`). */
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

  protected override sourceError(error: unknown): void {
    this.#gate.sourceError(error, this.#delayError);
  }

  protected override sourceComplete(): void {
    this.#gate.sourceComplete();
  }
}
