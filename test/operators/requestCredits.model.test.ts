import fc from 'fast-check';
import { Subject, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type BackpressureStrategy,
  type DropReason,
  type OverflowPolicy,
  requestCredits,
} from '../../src/index.js';

/** The reference model: requestCredits with unit cost, written as plainly as possible. */
class Model {
  credit = 0;
  queue: number[] = [];
  delivered: number[] = [];
  drops: [number, DropReason][] = [];
  received = 0;
  granted = 0;
  sourceDone = false;
  delayedError = false;
  terminal: 'complete' | 'error' | 'unsubscribed' | undefined;

  constructor(
    readonly strategy: BackpressureStrategy,
    readonly bufferSize: number,
    readonly overflow: OverflowPolicy,
    readonly grantInsideNext: number,
  ) {}

  emit(item: number): void {
    if (this.terminal !== undefined || this.sourceDone) return;
    this.received++;
    if (this.queue.length === 0 && this.credit >= 1) {
      this.deliver(item);
      this.drain();
      return;
    }
    switch (this.strategy) {
      case 'drop':
        this.drops.push([item, 'no-credit']);
        return;
      case 'error':
        this.drops.push([item, 'no-credit']);
        this.fail();
        return;
      case 'latest':
        for (const replaced of this.queue.splice(0)) this.drops.push([replaced, 'replaced']);
        this.queue.push(item);
        return;
      case 'buffer':
        if (this.queue.length < this.bufferSize) {
          this.queue.push(item);
        } else if (this.overflow === 'drop-oldest') {
          this.drops.push([this.queue.shift() as number, 'overflow']);
          this.queue.push(item);
        } else if (this.overflow === 'drop-incoming') {
          this.drops.push([item, 'overflow']);
        } else {
          this.drops.push([item, 'overflow']);
          this.fail();
        }
    }
  }

  grant(credits: number): void {
    if (this.terminal !== undefined) return;
    if (!(credits === Number.POSITIVE_INFINITY || (Number.isSafeInteger(credits) && credits > 0))) {
      this.fail();
      return;
    }
    this.granted += credits;
    this.credit = Math.min(this.credit + credits, Number.POSITIVE_INFINITY);
    if (this.credit > Number.MAX_SAFE_INTEGER) this.credit = Number.POSITIVE_INFINITY;
    this.drain();
  }

  complete(): void {
    if (this.terminal !== undefined || this.sourceDone) return;
    this.sourceDone = true;
    this.settle();
  }

  error(): void {
    if (this.terminal !== undefined || this.sourceDone) return;
    if (this.queue.length === 0) {
      this.fail();
      return;
    }
    this.sourceDone = true;
    this.delayedError = true;
  }

  unsubscribe(): void {
    if (this.terminal !== undefined) return;
    for (const item of this.queue.splice(0)) this.drops.push([item, 'unsubscribed']);
    this.terminal = 'unsubscribed';
  }

  private deliver(item: number): void {
    if (this.credit !== Number.POSITIVE_INFINITY) this.credit--;
    this.delivered.push(item);
    if (this.grantInsideNext > 0) {
      this.granted += this.grantInsideNext;
      this.credit += this.grantInsideNext;
    }
  }

  private drain(): void {
    while (this.terminal === undefined && this.queue.length > 0 && this.credit >= 1) {
      this.deliver(this.queue.shift() as number);
    }
    this.settle();
  }

  private settle(): void {
    if (this.terminal === undefined && this.sourceDone && this.queue.length === 0) {
      this.terminal = this.delayedError ? 'error' : 'complete';
    }
  }

  private fail(): void {
    for (const item of this.queue.splice(0)) this.drops.push([item, 'error']);
    this.terminal = 'error';
  }
}

/** The real operator, driven by subjects, recording what it does. */
class Real {
  readonly source = new Subject<number>();
  readonly credits = new Subject<number>();
  readonly delivered: number[] = [];
  readonly drops: [number, DropReason][] = [];
  terminal: 'complete' | 'error' | 'unsubscribed' | undefined;
  readonly subscription: Subscription;

  constructor(model: Model) {
    this.subscription = this.source
      .pipe(
        requestCredits(this.credits, {
          strategy: model.strategy,
          ...(model.strategy === 'buffer' ? { bufferSize: model.bufferSize, overflow: model.overflow } : {}),
          onDrop: (item, reason) => this.drops.push([item, reason]),
        }),
      )
      .subscribe({
        next: (item) => {
          this.delivered.push(item);
          if (model.grantInsideNext > 0) this.credits.next(model.grantInsideNext);
        },
        complete: () => {
          this.terminal = 'complete';
        },
        error: () => {
          this.terminal = 'error';
        },
      });
  }
}

type Command = fc.Command<Model, Real>;

function command(name: string, run: (model: Model, real: Real) => void): Command {
  return {
    check: () => true,
    run(model, real) {
      run(model, real);
      expect(real.delivered).toEqual(model.delivered);
      expect(real.drops).toEqual(model.drops);
      expect(real.terminal).toEqual(model.terminal);
      // Never more delivered than granted (Reactive Streams §1.1).
      expect(real.delivered.length).toBeLessThanOrEqual(model.granted);
      // The loss ledger: received = delivered + dropped + buffered.
      expect(model.received).toBe(real.delivered.length + real.drops.length + model.queue.length);
      // No quiet moment with both waiting items and spare credit.
      if (model.terminal === undefined) expect(model.queue.length === 0 || model.credit < 1).toBe(true);
    },
    toString: () => name,
  };
}

let nextItem = 0;
const commands = [
  fc.constant(null).map(() => {
    const item = nextItem++;
    return command(`emit(${item})`, (model, real) => {
      model.emit(item);
      real.source.next(item);
    });
  }),
  fc
    .oneof(
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }) },
      { weight: 1, arbitrary: fc.constantFrom(Number.POSITIVE_INFINITY, 2 ** 53, Number.MAX_SAFE_INTEGER) },
      { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, Number.NaN) },
    )
    .map((credits) =>
      command(`grant(${credits})`, (model, real) => {
        model.grant(credits);
        real.credits.next(credits);
      }),
    ),
  fc.constant(
    command('complete', (model, real) => {
      model.complete();
      real.source.complete();
    }),
  ),
  fc.constant(
    command('error', (model, real) => {
      model.error();
      real.source.error(new Error('source failed'));
    }),
  ),
  fc.constant(
    command('unsubscribe', (model, real) => {
      model.unsubscribe();
      if (!real.subscription.closed) real.terminal = 'unsubscribed';
      real.subscription.unsubscribe();
      expect(real.source.observed).toBe(false);
      expect(real.credits.observed).toBe(false);
    }),
  ),
];

describe('requestCredits against a reference model', () => {
  it('matches the model for every strategy under random items, grants, completion, errors and unsubscription', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BackpressureStrategy>('buffer', 'drop', 'latest', 'error'),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom<OverflowPolicy>('error', 'drop-oldest', 'drop-incoming'),
        fc.constantFrom(0, 0, 1, 2),
        fc.commands(commands, { maxCommands: 40 }),
        (strategy, bufferSize, overflow, grantInsideNext, run) => {
          const model = new Model(strategy, bufferSize, overflow, grantInsideNext);
          fc.modelRun(() => ({ model, real: new Real(model) }), run);
        },
      ),
      { numRuns: 500 },
    );
  });
});
