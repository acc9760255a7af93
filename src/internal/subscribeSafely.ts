import type { Observable, Subscriber, Subscription } from 'rxjs';
import { SourceSubscriber } from './SourceSubscriber.js';

/** What an upstream subscription reports to its owner. */
export interface UpstreamHandlers<T> {
  next(value: T): void;
  error(error: unknown): void;
  complete(): void;
}

/** The subscriber of {@link subscribeSafely}: it hands every signal to its owner's handlers. */
class UpstreamSubscriber<T> extends SourceSubscriber<T> {
  readonly #handlers: UpstreamHandlers<T>;

  constructor(handlers: UpstreamHandlers<T>) {
    super();
    this.#handlers = handlers;
  }

  override next(value: T): void {
    if (this.isStopped) super.next(value);
    else this.#handlers.next(value);
  }

  protected override sourceError(error: unknown): void {
    this.#handlers.error(error);
  }

  protected override sourceComplete(): void {
    this.#handlers.complete();
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
