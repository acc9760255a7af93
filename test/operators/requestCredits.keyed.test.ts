import fc from 'fast-check';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  BufferOverflowError,
  CreditController,
  type DropReason,
  type OverflowPolicy,
  requestCredits,
} from '../../src/index.js';
import { checkFlowControl, type InvariantName, invariants } from '../../src/testing/index.js';
import { virtualClock } from '../virtualClock.js';

interface Reading {
  readonly sensor: number;
  readonly at: number;
  readonly id: number;
}

/** The reference: latest per key, written as plainly as possible with arrays. */
class KeyedModel {
  credit = 0;
  /** Waiting keys in delivery order, each with its items oldest first. */
  waiting: { key: number; items: number[] }[] = [];
  delivered: number[] = [];
  drops: [number, DropReason][] = [];
  failed = false;

  constructor(
    readonly perKey: number,
    readonly maxKeys: number,
    readonly overflow: OverflowPolicy,
    readonly keyOf: (item: number) => number,
  ) {}

  emit(item: number): void {
    if (this.failed) return;
    if (this.waiting.length === 0 && this.credit > 0) {
      this.credit--;
      this.delivered.push(item);
      return;
    }
    const key = this.keyOf(item);
    const slot = this.waiting.find((each) => each.key === key);
    if (slot !== undefined) {
      slot.items.push(item);
      if (slot.items.length > this.perKey) this.drops.push([slot.items.shift() as number, 'replaced']);
      return;
    }
    if (this.waiting.length < this.maxKeys) {
      this.waiting.push({ key, items: [item] });
      return;
    }
    if (this.overflow === 'drop-incoming') {
      this.drops.push([item, 'overflow']);
    } else if (this.overflow === 'drop-oldest') {
      // perKey 1: the oldest item is the only one of the key that has waited longest... by arrival.
      const oldest = this.waiting.reduce((a, b) => ((a.items[0] as number) < (b.items[0] as number) ? a : b));
      this.waiting = this.waiting.filter((each) => each !== oldest);
      this.waiting.push({ key, items: [item] });
      this.drops.push([oldest.items[0] as number, 'overflow']);
    } else {
      this.drops.push([item, 'overflow']);
      this.failed = true;
      while (this.waiting.length > 0) this.drops.push([this.takeNext(), 'error']);
    }
  }

  grant(n: number): void {
    if (this.failed) return;
    this.credit += n;
    while (this.credit > 0 && this.waiting.length > 0) {
      this.delivered.push(this.takeNext());
      this.credit--;
    }
  }

  /** The oldest item of the key that has waited longest; the key, if it still waits, goes to the back. */
  takeNext(): number {
    const head = this.waiting.shift() as { key: number; items: number[] };
    const item = head.items.shift() as number;
    if (head.items.length > 0) this.waiting.push(head);
    return item;
  }
}

describe("requestCredits, strategy 'latest' with a key", () => {
  it('behaves like the reference model under any sequence of emissions and grants', () => {
    const setup = fc
      .record({
        perKey: fc.integer({ min: 1, max: 3 }),
        maxKeys: fc.integer({ min: 1, max: 4 }),
        overflow: fc.constantFrom<OverflowPolicy>('error', 'drop-incoming', 'drop-oldest'),
        keys: fc.integer({ min: 1, max: 6 }),
      })
      .map((drawn) => ({ ...drawn, perKey: drawn.overflow === 'drop-oldest' ? 1 : drawn.perKey }));
    const operation = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('emit' as const), key: fc.nat({ max: 5 }) }) },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('grant' as const), n: fc.integer({ min: 1, max: 3 }) }),
      },
    );
    fc.assert(
      fc.property(
        setup,
        fc.array(operation, { maxLength: 60 }),
        ({ perKey, maxKeys, overflow, keys }, operations) => {
          // Item i carries its key in its value: key = item % 10.
          const keyOf = (item: number) => item % 10;
          const model = new KeyedModel(perKey, maxKeys, overflow, keyOf);
          const credits = new CreditController();
          const source = new Subject<number>();
          const delivered: number[] = [];
          const drops: [number, DropReason][] = [];
          let failed = false;
          source
            .pipe(
              requestCredits(credits, {
                strategy: 'latest',
                key: keyOf,
                perKey,
                maxKeys,
                overflow,
                onDrop: (item, reason) => drops.push([item, reason]),
              }),
            )
            .subscribe({
              next: (item) => delivered.push(item),
              error: (error: unknown) => {
                expect(error).toBeInstanceOf(BufferOverflowError);
                failed = true;
              },
            });
          let sequence = 0;
          for (const operation of operations) {
            if (operation.kind === 'emit') {
              const item = sequence++ * 10 + (operation.key % keys);
              model.emit(item);
              source.next(item);
            } else {
              model.grant(operation.n);
              credits.grant(operation.n);
            }
            expect(delivered).toEqual(model.delivered);
            expect(drops).toEqual(model.drops);
            expect(failed).toBe(model.failed);
          }
        },
      ),
    );
  });

  it('refreshes each of 16 sensors (10 kHz each, 5 s) at least every 16 deliveries into a 50 ms consumer, readings fresh, memory bounded by the keys (virtual time)', () => {
    const { scheduler, advance } = virtualClock();
    const sensors = 16;
    const perMillisecond = 10; // 10 kHz per sensor
    const durationMs = 5_000;
    const deliveryMs = 50;
    const credits = new CreditController({ initial: 1 });
    const source = new Subject<Reading>();
    let emitted = 0;
    let dropped = 0;
    let delivered = 0;
    let mostHeld = 0;
    const sensorsDelivered: number[] = [];
    const ages: number[] = [];
    source
      .pipe(
        requestCredits(credits, {
          strategy: 'latest',
          key: (reading) => reading.sensor,
          scheduler,
          onDrop: (_reading, reason) => {
            if (reason === 'replaced') dropped++;
          },
        }),
      )
      .subscribe((reading) => {
        delivered++;
        sensorsDelivered.push(reading.sensor);
        ages.push(scheduler.now() - reading.at);
        scheduler.schedule(() => credits.grant(1), deliveryMs);
      });
    scheduler.schedule(function (this: { schedule(state: undefined, delay: number): void }) {
      const at = scheduler.now();
      for (let k = 0; k < perMillisecond; k++) {
        for (let sensor = 0; sensor < sensors; sensor++) source.next({ sensor, at, id: emitted++ });
      }
      mostHeld = Math.max(mostHeld, emitted - delivered - dropped);
      if (at < durationMs) this.schedule(undefined, 1);
    }, 0);
    advance(durationMs);

    expect(emitted).toBe(sensors * perMillisecond * (durationMs + 1));
    expect(delivered).toBeGreaterThanOrEqual(durationMs / deliveryMs);
    // Fair: every sensor again within 16 deliveries of its last one.
    for (let sensor = 0; sensor < sensors; sensor++) {
      const at = sensorsDelivered.flatMap((each, index) => (each === sensor ? [index] : []));
      expect(at[0]).toBeLessThan(sensors);
      for (let i = 1; i < at.length; i++)
        expect((at[i] as number) - (at[i - 1] as number)).toBeLessThanOrEqual(sensors);
    }
    const sorted = [...ages].sort((a, b) => a - b);
    const p99 = sorted[Math.ceil(sorted.length * 0.99) - 1] as number;
    expect(p99).toBeLessThanOrEqual(2 * deliveryMs);
    // Memory: never more held than one reading per sensor.
    expect(mostHeld).toBeLessThanOrEqual(sensors);
  });

  it('keeps the last n of each key with perKey, delivering keys in turn', () => {
    const credits = new CreditController();
    const source = new Subject<string>();
    const delivered: string[] = [];
    const replaced: string[] = [];
    source
      .pipe(
        requestCredits(credits, {
          strategy: 'latest',
          key: (item) => item[0],
          perKey: 2,
          onDrop: (item, reason) => reason === 'replaced' && replaced.push(item),
        }),
      )
      .subscribe((item) => delivered.push(item));
    for (const item of ['a1', 'b1', 'a2', 'a3', 'c1', 'b2', 'b3']) source.next(item);
    expect(replaced).toEqual(['a1', 'b1']);
    credits.grant(10);
    // a (waiting longest), b, c, then the second items of a and b.
    expect(delivered).toEqual(['a2', 'b2', 'c1', 'a3', 'b3']);
  });

  it('bounds the keys: one more key follows overflow', () => {
    const credits = new CreditController();
    const source = new Subject<number>();
    const drops: [number, DropReason][] = [];
    const delivered: number[] = [];
    source
      .pipe(
        requestCredits(credits, {
          strategy: 'latest',
          key: (n) => n % 10,
          maxKeys: 2,
          overflow: 'drop-oldest',
          onDrop: (n, reason) => drops.push([n, reason]),
        }),
      )
      .subscribe((n) => delivered.push(n));
    for (const n of [1, 2, 11, 3]) source.next(n);
    expect(drops).toEqual([
      [1, 'replaced'],
      [2, 'overflow'],
    ]);
    credits.grant(5);
    expect(delivered).toEqual([11, 3]);
  });

  it('drops items that wait longer than ttl', () => {
    const { scheduler, advance } = virtualClock();
    const credits = new CreditController();
    const source = new Subject<number>();
    const drops: [number, DropReason][] = [];
    source
      .pipe(
        requestCredits(credits, {
          strategy: 'latest',
          key: (n) => n % 2,
          ttl: 10,
          scheduler,
          onDrop: (n, reason) => drops.push([n, reason]),
        }),
      )
      .subscribe();
    source.next(0);
    advance(5);
    source.next(1);
    advance(6);
    expect(drops).toEqual([[0, 'expired']]);
    advance(5);
    expect(drops).toEqual([
      [0, 'expired'],
      [1, 'expired'],
    ]);
  });

  it('errors the output when key throws, reporting the item', () => {
    const credits = new CreditController();
    const source = new Subject<number>();
    const drops: [number, DropReason][] = [];
    const errors: unknown[] = [];
    source
      .pipe(
        requestCredits(credits, {
          strategy: 'latest',
          key: () => {
            throw new Error('no key');
          },
          onDrop: (n, reason) => drops.push([n, reason]),
        }),
      )
      .subscribe({ error: (error: unknown) => errors.push(error) });
    source.next(7);
    expect(drops).toEqual([[7, 'error']]);
    expect(String(errors[0])).toMatch(/no key/);
  });

  it('refuses key options where they do not apply, naming them', () => {
    const credits = new CreditController();
    expect(() => requestCredits<number>(credits, { key: (n) => n })).toThrow(
      /options.key applies only to strategy 'latest', not 'buffer'/,
    );
    expect(() => requestCredits<number>(credits, { strategy: 'latest', perKey: 2 })).toThrow(
      /options.perKey applies only to strategy 'latest' with a key/,
    );
    expect(() => requestCredits<number>(credits, { strategy: 'latest', key: (n) => n, maxKeys: 0 })).toThrow(
      /options.maxKeys must be a positive integer, got 0/,
    );
    expect(() => requestCredits<number>(credits, { strategy: 'latest', key: 5 as never })).toThrow(
      /options.key must be a function/,
    );
    expect(() => requestCredits<number>(credits, { strategy: 'latest', overflow: 'drop-oldest' })).toThrow(
      /overflow applies only to strategy 'buffer' \(or 'latest' with a key\)/,
    );
    expect(() =>
      requestCredits<number>(credits, {
        strategy: 'latest',
        key: (n) => n,
        perKey: 2,
        overflow: 'drop-oldest',
      }),
    ).toThrow(/would evict one item of a key that keeps waiting/);
    expect(() =>
      requestCredits<number>(credits, { strategy: 'latest', key: (n) => n, overflow: 'drop-lowest' }),
    ).toThrow(/needs options.priority/);
  });

  const unordered = (Object.keys(invariants) as InvariantName[]).filter((name) => name !== 'preservesOrder');
  it.each([
    ['one per key', { perKey: 1 }],
    [
      'two per key, few keys, overflow drop-incoming',
      { perKey: 2, maxKeys: 2, overflow: 'drop-incoming' as const },
    ],
    ['few keys, overflow drop-oldest, ttl', { maxKeys: 2, overflow: 'drop-oldest' as const, ttl: 2 }],
  ])("keeps the testing kit's flow-control contract (%s)", (_name, options) => {
    expect(() =>
      checkFlowControl(
        (source, credits, { onDrop, scheduler }) =>
          source.pipe(
            requestCredits(credits, { strategy: 'latest', key: (n) => n % 3, ...options, onDrop, scheduler }),
          ),
        { numRuns: 200, invariants: unordered },
      ),
    ).not.toThrow();
  });
});
