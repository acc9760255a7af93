import { Subscriber } from 'rxjs';

/** What the run does with each call the pipeline makes on its consumer. */
export interface OutputHandlers<R> {
  next(value: R, stopped: boolean): void;
  error(error: unknown): void;
  complete(): void;
}

/**
 * The consumer at the end of the pipeline. It overrides `next`/`error`/`complete` themselves rather
 * than `_next` & co., so it records every call, including those a broken pipeline makes after a
 * terminal signal (a plain subscriber would silently ignore them).
 */
export class OutputRecorder<R> extends Subscriber<R> {
  readonly #handlers: OutputHandlers<R>;

  constructor(handlers: OutputHandlers<R>) {
    super({ next: () => undefined, error: () => undefined, complete: () => undefined });
    this.#handlers = handlers;
  }

  override next(value: R): void {
    this.#handlers.next(value, this.isStopped);
    super.next(value);
  }

  override error(error: unknown): void {
    this.#handlers.error(error);
    super.error(error);
  }

  override complete(): void {
    this.#handlers.complete();
    super.complete();
  }
}
