import type { Subscription } from 'rxjs';

/**
 * One item's way through the service, from its first call to its last: the record `withHandshake`
 * keeps per item in flight. `controller` belongs to the running attempt only; an outcome that arrives
 * for another attempt (one that timed out) is ignored. Built per call, so it keeps to the
 * fast-properties budget (README, "Design notes"): ten plain fields, and no `#method`.
 */
export class HandshakeCall<T> {
  readonly item: T;
  /** Its place in the output order (with `ordered`). */
  readonly order: number;
  /** `'backoff'`: waiting out the delay before a retry; `'waiting'`: then for `isReady()`. */
  phase: 'running' | 'backoff' | 'waiting' = 'running';
  attempt = 0;
  /** The backoff before this one, which decorrelated jitter grows from. */
  previousDelay = 0;
  controller: AbortController | undefined;
  /** The running attempt's timeout, or the backoff before the next attempt. */
  timer: Subscription | undefined;
  /** The running attempt's Observable result. */
  inner: Subscription | undefined;
  /** Its neighbours in the list of items in flight (a list, so joining and leaving allocate nothing). */
  previous: HandshakeCall<T> | undefined;
  next: HandshakeCall<T> | undefined;

  constructor(item: T, order: number) {
    this.item = item;
    this.order = order;
  }

  /** The attempt is over (whatever its outcome): stop its timer and forget its result. */
  endAttempt(): void {
    this.controller = undefined;
    this.timer?.unsubscribe();
    this.timer = undefined;
    this.inner?.unsubscribe();
    this.inner = undefined;
  }

  /** The output ended, or the attempt timed out: abort the call's signal, stop its result and timers. */
  abandon(): void {
    const controller = this.controller;
    this.endAttempt();
    controller?.abort();
  }
}
