import { describe, expect, it } from 'vitest';
import type { DropReason } from '../../src/index.js';
import { CreditAdmission } from '../../src/internal/CreditAdmission.js';
import { Gate } from '../../src/internal/Gate.js';
import { resolveBufferOptions } from '../../src/internal/resolveBufferOptions.js';

/** A gate with `credits` granted, its drops recorded as `onDrop` reports them. */
function gateWith(credits: number): { gate: Gate<string>; reports: [string, DropReason][] } {
  const reports: [string, DropReason][] = [];
  const options = resolveBufferOptions<string>(
    { onDrop: (item, reason) => reports.push([item, reason]) },
    'options',
    [],
  );
  const admission = new CreditAdmission<string>(undefined);
  admission.grant(credits);
  const gate = new Gate(options, admission, { next: () => {}, error: () => {}, complete: () => {} });
  return { gate, reports };
}

describe('GateLedger', () => {
  it('moves an item its sink dropped after delivery from delivered to dropped, and reports it', () => {
    const { gate, reports } = gateWith(2);
    gate.offer('a');
    gate.offer('b');
    gate.droppedAfterDelivery('a', 'error');
    expect([gate.received, gate.delivered, gate.dropped.error, gate.buffered]).toEqual([2, 1, 1, 0]);
    expect(reports).toEqual([['a', 'error']]);
    // Still balanced when the gate closes (its own development check).
    expect(() => gate.release()).not.toThrow();
  });

  it('fails loudly in development when told of a drop after delivery that it never delivered', () => {
    const { gate, reports } = gateWith(0);
    gate.offer('a');
    expect(() => gate.droppedAfterDelivery('a', 'unsubscribed')).toThrow(
      /internal invariant broken: an item was reported dropped after delivery \(unsubscribed\), but the gate delivered none/,
    );
    expect([gate.delivered, reports]).toEqual([0, []]);
  });
});
