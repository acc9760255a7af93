import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BackpressureStrategy, DropReason, OverflowPolicy } from '../../src/index.js';
import { CreditAdmission } from '../../src/internal/CreditAdmission.js';
import { Gate } from '../../src/internal/Gate.js';
import { resolveBufferOptions } from '../../src/internal/resolveBufferOptions.js';

/** A gate fed by unit-cost credit, with a sink that records how it is called. */
class Rig {
  readonly admission = new CreditAdmission<number>(undefined);
  readonly gate: Gate<number>;
  nextCalls = 0;
  depth = 0;
  deepest = 0;
  terminals = 0;
  nextAfterTerminal = 0;
  reportedDrops = 0;
  wasClosed = false;

  constructor(
    strategy: BackpressureStrategy,
    bufferSize: number,
    overflow: OverflowPolicy,
    readonly grantInsideNext: number,
  ) {
    const options = resolveBufferOptions<number>(
      {
        strategy,
        ...(strategy === 'buffer' ? { bufferSize, overflow } : {}),
        onDrop: (_item: number, _reason: DropReason) => {
          this.reportedDrops++;
        },
      },
      'options',
      [],
    );
    this.gate = new Gate(options, this.admission, {
      next: () => {
        if (this.terminals > 0) this.nextAfterTerminal++;
        this.nextCalls++;
        this.depth++;
        this.deepest = Math.max(this.deepest, this.depth);
        // A grant from inside next, as a consumer that asks for more per item does: picked up by the
        // running drain loop, never by a nested one.
        if (this.grantInsideNext > 0) this.grant(this.grantInsideNext);
        this.depth--;
      },
      error: () => {
        this.terminals++;
      },
      complete: () => {
        this.terminals++;
      },
    });
  }

  grant(credits: number): void {
    this.admission.grant(credits);
    this.gate.wake();
  }

  /** Every invariant of the gate, after each operation. */
  check(): void {
    const { gate } = this;
    const dropped = Object.values(gate.dropped).reduce((sum, count) => sum + count, 0);
    expect(gate.received).toBe(gate.delivered + dropped + gate.buffered);
    expect(gate.delivered).toBe(this.nextCalls);
    expect(this.reportedDrops).toBe(dropped);
    expect(this.deepest).toBeLessThanOrEqual(1);
    expect(this.terminals).toBeLessThanOrEqual(1);
    expect(this.nextAfterTerminal).toBe(0);
    if (this.terminals > 0) expect(gate.closed).toBe(true);
    if (gate.closed) expect(gate.buffered).toBe(0);
    if (this.wasClosed) expect(gate.closed).toBe(true);
    this.wasClosed = gate.closed;
  }
}

/** What the commands may do: a source ends once, a credit signal ends once. */
interface Model {
  sourceEnded: boolean;
  admissionEnded: boolean;
}

type GateCommand = fc.Command<Model, Rig>;

function command(
  name: string,
  allowed: (model: Model) => boolean,
  act: (model: Model, rig: Rig) => void,
): GateCommand {
  return {
    check: allowed,
    run: (model, rig) => {
      act(model, rig);
      rig.check();
    },
    toString: () => name,
  };
}

const offer = fc.integer({ min: 0, max: 99 }).map((item) =>
  command(
    `offer(${item})`,
    (m) => !m.sourceEnded,
    (_m, rig) => rig.gate.offer(item),
  ),
);
const grant = fc.integer({ min: 1, max: 3 }).map((credits) =>
  command(
    `grant(${credits})`,
    () => true,
    (_m, rig) => rig.grant(credits),
  ),
);
const endings = [
  fc.constant(
    command(
      'sourceComplete',
      (m) => !m.sourceEnded,
      (m, rig) => {
        m.sourceEnded = true;
        rig.gate.sourceComplete();
      },
    ),
  ),
  fc.boolean().map((delay) =>
    command(
      `sourceError(delay: ${delay})`,
      (m) => !m.sourceEnded,
      (m, rig) => {
        m.sourceEnded = true;
        rig.gate.sourceError(new Error('source failed'), delay);
      },
    ),
  ),
  fc.constant(
    command(
      'admissionEnded',
      (m) => !m.admissionEnded,
      (m, rig) => {
        m.admissionEnded = true;
        rig.gate.admissionEnded();
      },
    ),
  ),
  fc.constant(
    command(
      'release',
      () => true,
      (_m, rig) => rig.gate.release(),
    ),
  ),
  fc.constant(
    command(
      'fail',
      () => true,
      (_m, rig) => rig.gate.fail(new Error('failed')),
    ),
  ),
];
// Items and grants far more often than the events that end a gate, so a run gets far enough in.
const commands = [
  fc.oneof(
    { arbitrary: offer, weight: 20 },
    { arbitrary: grant, weight: 15 },
    ...endings.map((arbitrary) => ({ arbitrary, weight: 1 })),
  ),
];

describe('Gate', () => {
  it('keeps the ledger at every moment, runs one drain loop at a time and sends a terminal signal once, whatever the order of events', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BackpressureStrategy>('buffer', 'drop', 'latest', 'error'),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom<OverflowPolicy>('drop-oldest', 'drop-incoming', 'error'),
        fc.integer({ min: 0, max: 2 }),
        fc.commands(commands, { size: 'medium', maxCommands: 60 }),
        (strategy, bufferSize, overflow, grantInsideNext, run) => {
          fc.modelRun(
            () => ({
              model: { sourceEnded: false, admissionEnded: false },
              real: new Rig(strategy, bufferSize, overflow, grantInsideNext),
            }),
            run,
          );
        },
      ),
    );
  });

  it('completes once the source is done and the last waiting item is delivered, not before', () => {
    const rig = new Rig('buffer', 4, 'error', 0);
    rig.gate.offer(1);
    rig.gate.offer(2);
    rig.gate.sourceComplete();
    rig.grant(1);
    expect([rig.terminals, rig.gate.closed]).toEqual([0, false]);
    rig.grant(1);
    expect([rig.terminals, rig.gate.closed, rig.gate.delivered]).toEqual([1, true, 2]);
  });

  it('drops what can never pass as no-credit once both the source and the credit signal ended', () => {
    const rig = new Rig('buffer', 4, 'error', 0);
    rig.gate.offer(1);
    rig.gate.sourceError(new Error('late'), true);
    expect(rig.gate.closed).toBe(false);
    rig.gate.admissionEnded();
    expect([rig.terminals, rig.gate.dropped['no-credit']]).toEqual([1, 1]);
  });

  it('fails loudly in development when its ledger does not add up', () => {
    const rig = new Rig('buffer', 4, 'error', 0);
    rig.gate.offer(1);
    rig.gate.delivered++;
    expect(() => rig.gate.release()).toThrow(
      /internal invariant broken: the gate's ledger does not add up: received 1, delivered 1, dropped 1, buffered 0/,
    );
  });
});
