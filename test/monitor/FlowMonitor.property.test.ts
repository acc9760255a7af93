import fc from 'fast-check';
import { Subject, type Subscription, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type DropReason, FlowMonitor, type RequestCreditsOptions, requestCredits } from '../../src/index.js';

type Command =
  | { readonly kind: 'emit' }
  | { readonly kind: 'grant'; readonly credits: number }
  | { readonly kind: 'complete' | 'error' | 'unsubscribe' | 'subscribe' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'emit' } as const), weight: 6 },
  {
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      credits: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Number.POSITIVE_INFINITY)),
    }),
    weight: 3,
  },
  fc.constantFrom<Command>(
    { kind: 'complete' },
    { kind: 'error' },
    { kind: 'unsubscribe' },
    { kind: 'subscribe' },
  ),
);

const stageOptions: fc.Arbitrary<RequestCreditsOptions<number>> = fc.oneof(
  fc.record({
    strategy: fc.constant('buffer' as const),
    bufferSize: fc.integer({ min: 1, max: 4 }),
    overflow: fc.constantFrom('error' as const, 'drop-oldest' as const, 'drop-incoming' as const),
  }),
  fc.record({ strategy: fc.constantFrom('drop' as const, 'latest' as const, 'error' as const) }),
);

describe('FlowMonitor on requestCredits (property)', () => {
  it('reports exactly what the stage did: the events seen through next and onDrop, after every step', () => {
    fc.assert(
      fc.property(stageOptions, fc.array(command, { maxLength: 60 }), (options, commands) => {
        const monitor = new FlowMonitor({ name: 'property' });
        const recorded = {
          received: 0,
          delivered: 0,
          dropped: { overflow: 0, 'no-credit': 0, replaced: 0, expired: 0, error: 0, unsubscribed: 0 },
        } satisfies { dropped: Record<DropReason, number> } & Record<string, unknown>;
        let source = new Subject<number>();
        let credits = new Subject<number>();
        let subscription: Subscription | undefined;
        const subscribe = (): Subscription =>
          source
            .pipe(
              tap(() => recorded.received++),
              requestCredits(credits, {
                ...options,
                monitor,
                onDrop: (_, reason) => {
                  recorded.dropped[reason]++;
                },
              }),
            )
            .subscribe({ next: () => recorded.delivered++, error: () => undefined });

        subscription = subscribe();
        let item = 0;
        for (const step of commands) {
          switch (step.kind) {
            case 'emit':
              source.next(item++);
              break;
            case 'grant':
              credits.next(step.credits);
              break;
            case 'complete':
              source.complete();
              break;
            case 'error':
              source.error(new Error('source failed'));
              break;
            case 'unsubscribe':
              subscription.unsubscribe();
              break;
            case 'subscribe':
              if (subscription.closed) {
                source = new Subject<number>();
                credits = new Subject<number>();
                subscription = subscribe();
              } else {
                // A second stage at once is refused and changes nothing.
                let code: unknown;
                new Subject<number>()
                  .pipe(requestCredits(new Subject<number>(), { monitor }))
                  .subscribe({ error: (error: { code?: unknown }) => (code = error.code) });
                expect(code).toBe('ERR_MONITOR_IN_USE');
              }
              break;
          }
          const snapshot = monitor.snapshot();
          expect(snapshot.received).toBe(recorded.received);
          expect(snapshot.delivered).toBe(recorded.delivered);
          expect(snapshot.dropped).toEqual(recorded.dropped);
          const dropped = Object.values(snapshot.dropped).reduce((sum, n) => sum + n, 0);
          expect(snapshot.buffered).toBeGreaterThanOrEqual(0);
          expect(snapshot.received).toBe(snapshot.delivered + dropped + snapshot.buffered);
          if (subscription.closed) expect(snapshot.buffered).toBe(0);
        }
        subscription.unsubscribe();
      }),
      { numRuns: 300 },
    );
  });
});
