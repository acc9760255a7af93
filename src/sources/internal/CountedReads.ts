import { type DropReason, zeroPerReason } from '../../core/DropReason.js';
import type { ReadCredit } from './Reader.js';

const noDrops: Readonly<Record<DropReason, number>> = Object.freeze(zeroPerReason());

/**
 * A monitored pullFrom's demand: the same, counting every read for the monitor's ledger (a source read
 * only against credit buffers and drops nothing). Kept apart so an unmonitored pullFrom pays nothing.
 */
export class CountedReads implements ReadCredit {
  readonly #demand: ReadCredit;
  received = 0;
  readonly buffered = 0;
  readonly dropped = noDrops;

  constructor(demand: ReadCredit) {
    this.#demand = demand;
  }

  get delivered(): number {
    return this.received;
  }

  get outstanding(): number {
    return this.#demand.outstanding;
  }

  admit(): void {
    this.received++;
    this.#demand.admit();
  }
}
