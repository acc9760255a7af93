import type { DropReason } from './DropReason.js';

/** The gate's loss ledger: the counters it keeps anyway, read only when a snapshot is taken. */
export interface LossLedger {
  readonly received: number;
  readonly delivered: number;
  readonly buffered: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
}

/**
 * What a stage hands its monitor when it is subscribed: live objects the monitor reads at snapshot
 * time, so monitoring costs the stage nothing per item.
 */
export type StageProbe =
  /** `requestCredits`: the gate and its credit admission. */
  | {
      readonly ledger: LossLedger;
      readonly bufferSize: number;
      readonly credit: { readonly outstanding: number };
    }
  /** `pullFrom`: what it read, its credit (1 while a readiness provider is ready), its source and consumer. */
  | {
      readonly ledger: LossLedger;
      readonly bufferSize: number;
      readonly credit: { readonly outstanding: number };
      readonly source: { readonly open: boolean };
      /** The readiness provider it reads for, whose `active` (when it tells one) is the work in flight. */
      readonly consumer: object | undefined;
    }
  /** `withHandshake`: the gate, the subscription's calls in flight, and the service (for its load). */
  | {
      readonly ledger: LossLedger;
      readonly bufferSize: number;
      readonly calls: { readonly inFlight: number };
      readonly service: object;
    };
