/**
 * How the kit counts the output of a pipeline whose output is not its input item for item: a
 * batching operator (`T → T[]`) or a one-to-many one. The invariants count in source items, as
 * credits do, so each output value is counted as the source items it delivers:
 *
 * - `items(value)`: the source items the value delivers, in order. A batch delivers its items; for a
 *   one-to-many step, let the last result of an item deliver that item and the others `[]` (so the
 *   results must tell which is last). The trace then records one delivery per source item.
 * - `batchSize`: the most items one batch holds. While more items can still come to the batch (the
 *   source is open, or items wait upstream for credit), up to `batchSize - 1` received items may wait
 *   for their batch to fill, with the credit they took, without `noStallWithCredit` calling it a
 *   stall; the last partial batch must come out when the source completes.
 *
 * `neverExceedsCredit` then checks that the source items delivered never exceed the credit granted,
 * `preservesOrder` that they come in the order received, and `conservesItems` and
 * `drainsBeforeComplete` that none is lost, a last partial batch included.
 *
 * @example
 * ```ts
 * import { bufferCount } from 'rxjs';
 * import { requestCredits } from 'rxjs-backpressure';
 * import { checkFlowControl, type OutputRule } from 'rxjs-backpressure/testing';
 *
 * const batches: OutputRule<number, number[]> = { items: (batch) => batch, batchSize: 3 };
 * checkFlowControl<number, number[]>(
 *   (source, credits, { onDrop }) => source.pipe(requestCredits(credits, { onDrop }), bufferCount(3)),
 *   { output: batches },
 * );
 * ```
 */
export interface OutputRule<T, R> {
  /** The source items one output value delivers, in order. Default: the value is one source item. */
  readonly items?: ((value: R) => readonly T[]) | undefined;
  /** The most items one batch holds: a positive safe integer, default 1 (no batching). */
  readonly batchSize?: number | undefined;
}
