import { type DropReason, dropReasons, zeroPerReason } from '../core/DropReason.js';
import type { LossLedger } from '../core/StageProbe.js';
import { developmentChecks, invariant } from './developmentChecks.js';
import { reportUnhandledError } from './reportUnhandledError.js';

/**
 * The loss ledger of a {@link Gate}: what it received, delivered and dropped (by reason), every drop
 * reported through `onDrop`, so that `received = delivered + dropped + buffered` at every moment.
 *
 * The base class of the gate rather than an object it holds: the counts are then fields of the gate
 * itself, and the per-item path adds to them without loading another object. It defines no `#method`,
 * so it adds no private brand to the gate's fast-properties budget.
 */
export abstract class GateLedger<T> implements LossLedger {
  received = 0;
  delivered = 0;
  readonly dropped: Record<DropReason, number> = zeroPerReason();
  readonly #onDrop: ((item: T, reason: DropReason) => void) | undefined;

  constructor(onDrop: ((item: T, reason: DropReason) => void) | undefined) {
    this.#onDrop = onDrop;
  }

  /** Items waiting now. */
  abstract get buffered(): number;

  /** Whether the gate has ended: a drop reported then can fail nothing. */
  abstract get closed(): boolean;

  /** Fails the gate: what a throwing `onDrop` does while it is open. */
  abstract fail(error: unknown): void;

  /**
   * An item the gate delivered will never reach the output after all: the sink dropped it afterwards
   * (withHandshake's call failed under `callErrors: 'drop'`, or its results were held back for order
   * when the output ended). It moves from delivered to dropped, so the sum holds; what could break it
   * is a report for an item the gate never delivered, which would leave `delivered` below zero.
   */
  droppedAfterDelivery(item: T, reason: DropReason): void {
    if (developmentChecks) {
      invariant(
        this.delivered > 0,
        () => `an item was reported dropped after delivery (${reason}), but the gate delivered none`,
      );
    }
    this.delivered--;
    this.drop(item, reason);
  }

  /** Counts a drop and reports it. A throwing `onDrop` fails the gate, or is reported once closed. */
  protected drop(item: T, reason: DropReason): void {
    this.dropped[reason]++;
    const onDrop = this.#onDrop;
    if (onDrop === undefined) return;
    try {
      onDrop(item, reason);
    } catch (error) {
      if (this.closed) reportUnhandledError(error);
      else this.fail(error);
    }
  }

  /** `received = delivered + dropped + buffered`: a development check whenever the gate closes. */
  protected checkLedger(): void {
    let dropped = 0;
    for (const reason of dropReasons) dropped += this.dropped[reason];
    invariant(
      this.received === this.delivered + dropped + this.buffered,
      () =>
        `the gate's ledger does not add up: received ${this.received}, delivered ${this.delivered}, dropped ${dropped}, buffered ${this.buffered}`,
    );
  }
}
