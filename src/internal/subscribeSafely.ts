import { type Observable, Subscriber, type Subscription } from 'rxjs';

/** What an upstream subscription reports to its owner. */
export interface UpstreamHandlers<T> {
  next(value: T): void;
  error(error: unknown): void;
  complete(): void;
}

class UpstreamSubscriber<T> extends Subscriber<T> {
  readonly #handlers: UpstreamHandlers<T>;

  constructor(handlers: UpstreamHandlers<T>) {
    super();
    this.#handlers = handlers;
  }

  // `next` itself, not `_next`: RxJS's shared `Subscriber#next` calls `_next` from one call site that
  // every kind of subscriber in the process goes through, megamorphic in any real application.
  override next(value: T): void {
    if (this.isStopped) super.next(value);
    else this.#handlers.next(value);
  }

  protected override _error(error: unknown): void {
    try {
      this.#handlers.error(error);
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    try {
      this.#handlers.complete();
    } finally {
      this.unsubscribe();
    }
  }
}

/**
 * Subscribes to `source` through a subscriber that `owner` holds *before* the subscription starts.
 *
 * This is the one fix for RxJS's "synchronous firehose": `source.subscribe(observer)` returns its
 * Subscription only after a synchronous source has emitted everything, so an owner that is
 * unsubscribed during that emission (say by `take(5)` downstream) could not stop it, and
 * `range(0, Infinity)` would never end. Here the owner's teardown closes the subscriber at once,
 * and synchronous sources check `closed` before every emission. Returns the subscription, which
 * also leaves `owner` by itself when the source ends.
 */
export function subscribeSafely<T>(
  source: Observable<T>,
  owner: Subscription,
  handlers: UpstreamHandlers<T>,
): Subscription {
  return subscribeSafelyThrough(source, owner, new UpstreamSubscriber(handlers));
}

/**
 * {@link subscribeSafely} through a subscriber of the caller's own class: an operator's hot path, whose
 * calls then stay monomorphic however many kinds of pipelines the process runs.
 */
export function subscribeSafelyThrough<T>(
  source: Observable<T>,
  owner: Subscription,
  upstream: Subscriber<T>,
): Subscription {
  owner.add(upstream);
  source.subscribe(upstream);
  return upstream;
}
