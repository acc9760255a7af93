// The cases of mixed.bench.ts, in the order the mixed process runs them: requestCredits in its shapes
// first, then withHandshake, pullFrom and the bridges, then the peers. Each run builds fresh
// subscriptions, the way an application runs many short-lived pipelines.
import { BehaviorSubject, count, from, lastValueFrom, map, mergeMap, of, range, Subject } from 'rxjs';
import {
  type BufferOptions,
  CreditController,
  pullFrom,
  requestCredits,
  TrackedService,
  toAsyncIterable,
  withHandshake,
} from '../src/index.js';
import { BatchConsumer } from './BatchConsumer.js';
import { requestCreditsInBatches, rsocketFlowableInBatches } from './batchContenders.js';

/** One case: `run` builds its pipelines afresh over `items` items and returns how many arrived. */
export interface MixedCase {
  readonly name: string;
  readonly items: number;
  run(): number | Promise<number>;
}

/** How many items each kind of case moves: synchronous pipelines, and those that await. */
export interface MixedSizes {
  readonly synchronous: number;
  readonly bursts: number;
  readonly burstSize: number;
}

export const fullSizes: MixedSizes = { synchronous: 1_000_000, bursts: 20, burstSize: 10_000 };
export const quickSizes: MixedSizes = { synchronous: 2_000, bursts: 2, burstSize: 500 };

const batchSizes = [1, 16, 256] as const;
/** The capacity withHandshake and mergeMap limit the work to. */
const capacity = 16;
/** Items pushed before the held ones are granted in the buffering cases: the queue's working depth. */
const holdDepth = 64;

/**
 * A strategy that drops: 16 credits for every 32 items the gate has dealt with, so half of the items
 * pass and half are dropped (or replaced); a last grant lets out what is still held. Delivered plus
 * dropped is every item.
 */
function halfDropped(items: number, strategy: 'drop' | 'latest'): MixedCase {
  return {
    name: `requestCredits, strategy '${strategy}', half the items without credit`,
    items,
    run: () => {
      const credits = new CreditController({ initial: 16 });
      let settled = 0;
      const settle = (): void => {
        if (++settled % 32 === 0) credits.grant(16);
      };
      range(0, items)
        .pipe(requestCredits(credits, { strategy, onDrop: settle }))
        .subscribe(settle);
      credits.grant(Number.POSITIVE_INFINITY);
      return settled;
    },
  };
}

/** Bursts of `holdDepth` items wait in the buffer, then one grant lets them all out through the drain. */
function heldThenDrained(name: string, items: number, options: BufferOptions<number>): MixedCase {
  return {
    name,
    items,
    run: () => {
      const source = new Subject<number>();
      const credits = new CreditController();
      let delivered = 0;
      source.pipe(requestCredits(credits, { bufferSize: holdDepth, ...options })).subscribe(() => {
        delivered++;
      });
      for (let item = 0; item < items; item++) {
        source.next(item);
        if ((item + 1) % holdDepth === 0) credits.grant(holdDepth);
      }
      credits.grant(holdDepth); // for a last, shorter burst
      source.complete();
      return delivered;
    },
  };
}

/** `bursts` floods of `burstSize` items, each finished before the next (see withHandshake.bench.ts). */
function inBursts(name: string, sizes: MixedSizes, burst: () => Promise<number>): MixedCase {
  return {
    name,
    items: sizes.bursts * sizes.burstSize,
    run: async () => {
      let delivered = 0;
      for (let round = 0; round < sizes.bursts; round++) delivered += await burst();
      return delivered;
    },
  };
}

async function work(item: number): Promise<number> {
  return item;
}

async function countLoop(iterable: AsyncIterable<unknown>): Promise<number> {
  let received = 0;
  for await (const _ of iterable) received++;
  return received;
}

function counted(source: { subscribe(next: () => void): unknown }): number {
  let received = 0;
  source.subscribe(() => {
    received++;
  });
  return received;
}

/** Names the target table of mixed.bench.ts looks cases up by. */
export const caseNames = {
  map: 'range → map',
  unbounded: 'requestCredits, unbounded credit (of(Infinity))',
  grant: (batch: number) => `requestCredits, grant(${batch}) inside next`,
  flowable: (batch: number) => `rsocket-flowable, request(${batch}) inside onNext`,
  withHandshake: `withHandshake(TrackedService), capacity ${capacity}`,
  mergeMap: `mergeMap(work, ${capacity})`,
  pullFrom: 'pullFrom(array), grants of 256 inside next',
  from: 'from(array)',
} as const;

/** Every case, in the order the mixed process runs them. */
export function mixedCases(sizes: MixedSizes): MixedCase[] {
  const items = sizes.synchronous;
  const array = Array.from({ length: items }, (_, index) => index);
  const burst = array.slice(0, sizes.burstSize);
  return [
    {
      name: caseNames.unbounded,
      items,
      run: () => counted(range(0, items).pipe(requestCredits(of(Number.POSITIVE_INFINITY)))),
    },
    {
      name: 'requestCredits, a BehaviorSubject signal, 256 more inside next',
      items,
      run: () => {
        const credits = new BehaviorSubject(256);
        const consumer = new BatchConsumer(256, (n) => credits.next(n));
        range(0, items)
          .pipe(requestCredits(credits))
          .subscribe(() => consumer.next());
        return consumer.count;
      },
    },
    ...batchSizes.map(
      (batch): MixedCase => ({
        ...requestCreditsInBatches(items, batch),
        name: caseNames.grant(batch),
        items,
      }),
    ),
    halfDropped(items, 'drop'),
    halfDropped(items, 'latest'),
    {
      name: "requestCredits, strategy 'error', grant(256) inside next",
      items,
      run: () => {
        const credits = new CreditController({ initial: 256 });
        const consumer = new BatchConsumer(256, (n) => credits.grant(n));
        range(0, items)
          .pipe(requestCredits(credits, { strategy: 'error' }))
          .subscribe(() => consumer.next());
        return consumer.count;
      },
    },
    heldThenDrained(`requestCredits, ${holdDepth} held then drained`, items, {}),
    heldThenDrained(`requestCredits, priority, ${holdDepth} held then drained`, items, {
      priority: (item) => item & 7,
    }),
    heldThenDrained(`requestCredits, ttl, ${holdDepth} held then drained`, items, { ttl: 60_000 }),
    inBursts(caseNames.withHandshake, sizes, () => {
      const service = new TrackedService({ capacity, handler: work });
      return lastValueFrom(
        range(0, sizes.burstSize).pipe(withHandshake(service, { bufferSize: sizes.burstSize }), count()),
      );
    }),
    {
      name: caseNames.pullFrom,
      items,
      run: () => {
        const credits = new CreditController({ initial: 256 });
        const consumer = new BatchConsumer(256, (n) => credits.grant(n));
        pullFrom(array, credits).subscribe(() => consumer.next());
        return consumer.count;
      },
    },
    {
      name: 'pullFrom(array), unbounded credit',
      items,
      run: () => counted(pullFrom(array, of(Number.POSITIVE_INFINITY))),
    },
    inBursts('toAsyncIterable((credits) => pullFrom(array, credits))', sizes, () =>
      countLoop(toAsyncIterable((credits) => pullFrom(burst, credits))),
    ),
    inBursts(`toAsyncIterable(from(array), { bufferSize: ${sizes.burstSize} })`, sizes, () =>
      countLoop(toAsyncIterable(from(burst), { bufferSize: sizes.burstSize })),
    ),
    { name: caseNames.map, items, run: () => counted(range(0, items).pipe(map((item) => item * 2))) },
    ...batchSizes.map(
      (batch): MixedCase => ({
        ...rsocketFlowableInBatches(items, batch),
        name: caseNames.flowable(batch),
        items,
      }),
    ),
    inBursts(caseNames.mergeMap, sizes, () =>
      lastValueFrom(range(0, sizes.burstSize).pipe(mergeMap(work, capacity), count())),
    ),
    { name: caseNames.from, items, run: () => counted(from(array)) },
  ];
}
