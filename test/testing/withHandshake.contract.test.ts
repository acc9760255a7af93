import { Observable, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  BufferOverflowError,
  type DropReason,
  type HandshakeProvider,
  ServiceAtCapacityError,
  TrackedService,
  type WithHandshakeOptions,
  withHandshake,
} from '../../src/index.js';
import {
  type AsyncPipelineBuilder,
  checkFlowControlAsync,
  FlowControlViolationError,
  type Invariant,
  type InvariantName,
  invariants,
} from '../../src/testing/index.js';

// Issue 8, requirement 3: at least 1,000 runs per strategy in CI; fewer locally to stay fast.
const numRuns = process.env.CI ? 1000 : 200;

/*
 * How the kit's contract maps onto a handshake.
 *
 * The pipeline under test is `source.pipe(withHandshake(service, options))` over a `TrackedService`
 * whose work is the identity (`do(n)` resolves with `n`), so each result delivered is the item that
 * went in, and whose capacity is the consumer's unspent credit: every grant on the kit's credit signal
 * raises the capacity by that much (`setCapacity`), and every call, as it finishes, lowers it by one
 * before it settles: its result spends its credit and the slot it held is not given back. So at every
 * moment `capacity = granted - finished calls`, `active <= capacity` is the handshake, and:
 *
 * - `neverExceedsCredit`: results out <= credits granted, i.e. withHandshake never has more calls in
 *   flight than the service's capacity. A `do()` started while `isReady()` is false would be refused by
 *   the service and error the output with an item nobody reports: `conservesItems` and the
 *   `errorsOnlyAsConfigured` invariant below catch that.
 * - `conservesItems` / `releasesOnUnsubscribe`: every item is a result, or reported through `onDrop`
 *   by the operator (waiting items: overflow, no-credit, replaced, expired, error, unsubscribed; with
 *   `ordered: true`, also finished calls whose results still waited for an earlier one). A call in
 *   flight is not dropped by withHandshake: by its contract it is aborted through its AbortSignal when
 *   the output ends. The handler is the service's own work, so it reports an aborted call itself
 *   (`'unsubscribed'`, or `'error'` when the output errored): the ledger then covers the service too.
 * - `preservesOrder`: results come in completion order unless `ordered: true`, and the calls settle
 *   in the order fast-check's scheduler picks, so order is checked only with `ordered: true` (and
 *   without `priority`, which reorders waiting items on purpose).
 * - `drainsBeforeComplete`, `nothingAfterTerminal`, `noStallWithCredit`: as for any operator. Calls
 *   in flight are held items, and quiet moments are those when no call is pending, so a stall means
 *   items wait while the service has room that nobody woke them for.
 *
 * Every call settles under `checkFlowControlAsync`'s fast-check scheduler (`context.promises`), so the
 * results, the scenario's steps and the re-entrant grants interleave in every order.
 */

type Options = Omit<WithHandshakeOptions<number>, 'onDrop' | 'scheduler' | 'monitor'>;

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The output errors only with the source's error or with the error its strategy names
 * (`ServiceAtCapacityError` for `'error'`, `BufferOverflowError` for overflow `'error'`): never
 * because the service refused a call that withHandshake started without a handshake.
 */
function errorsOnlyAsConfigured(allowed: readonly ErrorClass[]): Invariant {
  const name = 'errorsOnlyAsConfigured';
  return {
    name,
    description: "The output errors only with the source's error or with the error its strategy names.",
    check(trace) {
      const sourceError = trace.events.find((event) => event.kind === 'sourceErrored')?.error;
      for (const [index, event] of trace.events.entries()) {
        if (event.kind !== 'errored') continue;
        const { error } = event;
        if (error === sourceError || allowed.some((type) => error instanceof type)) continue;
        return { invariant: name, message: `the output errored with ${String(error)}.`, eventIndex: index };
      }
      return undefined;
    },
  };
}

function addCredit(capacity: number, grant: number): number {
  const total = capacity + grant;
  return total > Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : total;
}

/** How the operator sees the service: the TrackedService itself, unless a test wraps it. */
type ServiceView = (service: TrackedService<number, number>) => HandshakeProvider<number, number>;

/** withHandshake over a TrackedService whose capacity is the consumer's unspent credit (see above). */
function handshakeWith(
  options: Options,
  view: ServiceView = (service) => service,
): AsyncPipelineBuilder<number, number> {
  return (source, credits, { onDrop, scheduler, promises }) =>
    new Observable<number>((subscriber) => {
      let ending: DropReason = 'unsubscribed';
      const service: TrackedService<number, number> = new TrackedService<number, number>({
        capacity: 0,
        handler: (item, signal) => {
          const aborted = (): void => onDrop(item, ending);
          signal.addEventListener('abort', aborted, { once: true });
          return promises.schedule(Promise.resolve(item), `do(${item})`).then((result) => {
            signal.removeEventListener('abort', aborted);
            // The result spends its credit: lower the capacity before the slot is freed.
            if (!signal.aborted) service.setCapacity(service.capacity - 1);
            return result;
          });
        },
      });
      subscriber.add(
        credits.credits$.subscribe((grant) => service.setCapacity(addCredit(service.capacity, grant))),
      );
      subscriber.add(
        source
          .pipe(
            withHandshake(view(service), { ...options, onDrop, scheduler }),
            // Seen before the teardown aborts the calls in flight.
            tap({ error: () => (ending = 'error') }),
          )
          .subscribe(subscriber),
      );
    });
}

const all = Object.keys(invariants) as InvariantName[];
const unordered = all.filter((name) => name !== 'preservesOrder');

describe.each<[string, Options, InvariantName[], ErrorClass[]]>([
  ["'buffer' (default options)", {}, unordered, []],
  ["'buffer' with a small buffer, overflow 'error'", { bufferSize: 2 }, unordered, [BufferOverflowError]],
  ["'buffer', overflow 'drop-oldest'", { bufferSize: 2, overflow: 'drop-oldest' }, unordered, []],
  ["'buffer', overflow 'drop-incoming'", { bufferSize: 2, overflow: 'drop-incoming' }, unordered, []],
  [
    "'buffer', overflow 'drop-lowest' with priority",
    { bufferSize: 2, overflow: 'drop-lowest', priority: (n) => n % 3 },
    unordered,
    [],
  ],
  ["'buffer' with ttl", { bufferSize: 3, overflow: 'drop-oldest', ttl: 2 }, unordered, []],
  ["'drop'", { strategy: 'drop' }, unordered, []],
  ["'latest'", { strategy: 'latest' }, unordered, []],
  ["'error'", { strategy: 'error' }, unordered, [ServiceAtCapacityError]],
  ["'buffer' with ordered: true", { ordered: true }, all, []],
  [
    "'buffer' with ordered: true, overflow 'drop-oldest'",
    { ordered: true, bufferSize: 2, overflow: 'drop-oldest' },
    all,
    [],
  ],
  ["'latest' with ordered: true", { ordered: true, strategy: 'latest' }, all, []],
  // Order holds within a key only; latest per key reorders across keys.
  ["'buffer' with ordered: 'per-key'", { ordered: 'per-key', key: (n) => n % 3 }, unordered, []],
  ["'latest' per key", { strategy: 'latest', key: (n) => n % 3 }, unordered, []],
])('withHandshake over a TrackedService, strategy %s', (_name, options, checked, allowedErrors) => {
  it(`keeps the flow-control contract over ${numRuns} random scenarios`, async () => {
    await expect(
      checkFlowControlAsync(handshakeWith(options), {
        numRuns,
        invariants: [...checked, errorsOnlyAsConfigured(allowedErrors)],
      }),
    ).resolves.toBeUndefined();
  });
});

describe('the withHandshake contract setup', () => {
  it('catches an operator that calls do() without waiting for isReady()', async () => {
    // The operator is told the service is always ready, so it hands items over past the capacity.
    const heedless: ServiceView = (service) => ({
      isReady: () => true,
      do: (item, signal) => service.do(item, signal),
      credits$: service.credits$,
    });
    const failure: unknown = await checkFlowControlAsync(handshakeWith({}, heedless), {
      numRuns,
      invariants: [...unordered, errorsOnlyAsConfigured([])],
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(FlowControlViolationError);
    const violated = (failure as FlowControlViolationError).violations.map(({ invariant }) => invariant);
    expect(violated).toContain('errorsOnlyAsConfigured');
  });
});
