import { Subscriber } from 'rxjs';

/**
 * A subscriber to a source, held by its owner before the subscription starts (see `subscribeSafely`):
 * it tells its owner how the source ended, then leaves the source. Each subclass overrides `next`
 * itself, not `_next`: RxJS's shared `Subscriber#next` calls `_next` from one call site that every
 * kind of subscriber in the process goes through, megamorphic in any real application, while a
 * subclass's own `next` keeps the per-item call monomorphic.
 */
export abstract class SourceSubscriber<T> extends Subscriber<T> {
  /** The source failed with `error`. */
  protected abstract sourceError(error: unknown): void;

  /** The source completed. */
  protected abstract sourceComplete(): void;

  protected override _error(error: unknown): void {
    try {
      this.sourceError(error);
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    try {
      this.sourceComplete();
    } finally {
      this.unsubscribe();
    }
  }
}
