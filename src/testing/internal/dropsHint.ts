import type { FlowTrace } from '../FlowTrace.js';

/**
 * What a report about unreported items adds when the pipeline could not report drops at all: exactly
 * what to change, rather than leaving the reader to guess why an item it released counts as lost.
 */
export function dropsHint(trace: FlowTrace<unknown, unknown>): string {
  return trace.dropsReported
    ? ''
    : " The pipeline never read context.onDrop, so the kit cannot see what it drops: take the context and pass context.onDrop to the operator's onDrop, as in (source, credits, { onDrop }) => source.pipe(requestCredits(credits, { onDrop })).";
}

/**
 * Whether items still held when the output ended count as released with it: when the pipeline cannot
 * report drops, an item an operator released on unsubscribe or error looks exactly like a lost one.
 */
export function heldReleasedWithOutput(trace: FlowTrace<unknown, unknown>, output: string): boolean {
  return !trace.dropsReported && (output === 'unsubscribed' || output === 'errored');
}
