import { backoffDelay } from '../../internal/backoffDelay.js';
import { RingBuffer } from '../../internal/RingBuffer.js';
import { retryWait } from '../../internal/retryWait.js';
import type { HandshakeCall } from './HandshakeCall.js';
import type { ResolvedRetryOptions } from './resolveRetryOptions.js';

/**
 * `withHandshake`'s `retry`, for one subscription: whether a failed call is tried again, the backoff
 * before it, and the items whose backoff is over, which ask `isReady()` before any item that never
 * ran. Built only when `retry` is given, so a subscription without it carries no retry queue.
 */
export class CallRetries<T> {
  readonly #retry: ResolvedRetryOptions;
  /** Woken when a backoff is over: the service may take the item now. */
  readonly #owner: { wake(): void };
  readonly #due = new RingBuffer<HandshakeCall<T>>();

  constructor(retry: ResolvedRetryOptions, owner: { wake(): void }) {
    this.#retry = retry;
    this.#owner = owner;
  }

  /** How many items have waited out their backoff and wait for `isReady()`. */
  get due(): number {
    return this.#due.size;
  }

  /** Whether `call` is tried again after its attempt failed with `error`. Throws what `retryIf` throws. */
  willRetry(call: HandshakeCall<T>, error: unknown): boolean {
    return call.attempt < this.#retry.maxAttempts && this.#retry.retryIf(error, call.attempt);
  }

  /** Waits out the backoff before the next attempt of `call` (the formula of `retryWithBackoff`). */
  backOff(call: HandshakeCall<T>, error: unknown): void {
    const { policy, scheduler } = this.#retry;
    const previous = call.attempt === 1 ? policy.initialDelay : call.previousDelay;
    call.previousDelay = backoffDelay(policy, call.attempt, previous, Math.random);
    call.phase = 'backoff';
    call.timer = scheduler.schedule(
      () => {
        call.timer = undefined;
        call.phase = 'waiting';
        this.#due.push(call, 0);
        this.#owner.wake();
      },
      retryWait(call.previousDelay, error, policy.maxDelay),
    );
  }

  /** The item whose backoff ended first. Only when `due > 0`. */
  takeDue(): HandshakeCall<T> {
    return this.#due.shift();
  }
}
