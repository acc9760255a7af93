// Issue 17's multicast with credits: one pullFrom source of 1M items shared by a fast branch (no delay)
// and a slow one (10 ms per item), under 'fastest' and 'slowest', beside RxJS share(), which has no
// backpressure at all (as connectable(), so a synchronous source reaches both subscribers); then the cost per item of sharing with credits between two fast branches.
import { connectable, from } from 'rxjs';
import { CreditController, pullFrom, requestCredits, shareWithCredits } from '../src/index.js';
import {
  type BenchmarkOptions,
  type BenchmarkRow,
  type Contender,
  checkCount,
  factor,
  measureThroughput,
  targetJudge,
} from './harness.js';

/** 0..count-1, counting reads. */
function counted(count: number) {
  const state = { reads: 0 };
  function* items(): Generator<number> {
    for (let n = 0; n < count; n++) {
      state.reads++;
      yield n;
    }
  }
  return { state, items };
}

/** A branch consumer: grants one more after each item, at once (fast) or after `delayMs` (slow). */
function consumer(delayMs: number) {
  const credits = new CreditController({ initial: 1 });
  const state = { credits, received: 0, granted: 1, dropped: 0, overGranted: false, done: false };
  const next = () => {
    state.received++;
    if (state.received > state.granted) state.overGranted = true;
    const grant = () => {
      if (state.done) return;
      state.granted++;
      credits.grant(1);
    };
    if (delayMs === 0) grant();
    else setTimeout(grant, delayMs);
  };
  return { state, next };
}

/** 'fastest': time for the fast branch to receive every item, and what the slow one dropped. */
async function fastest(count: number) {
  const source = counted(count);
  const shared = shareWithCredits((credits) => pullFrom(source.items(), credits), {
    policy: 'fastest',
    startAfter: 2,
  });
  const fast = consumer(0);
  const slow = consumer(10);
  const started = performance.now();
  let fastMs = 0;
  const slowDone = new Promise<void>((resolve) => {
    shared.branch(fast.state.credits).subscribe({
      next: fast.next,
      complete: () => {
        fastMs = performance.now() - started;
      },
    });
    shared
      .branch(slow.state.credits, {
        strategy: 'latest',
        onDrop: () => {
          slow.state.dropped++;
        },
      })
      .subscribe({ next: slow.next, complete: resolve });
  });
  await slowDone;
  slow.state.done = true;
  checkCount("'fastest', fast branch", count, fast.state.received);
  checkCount("'fastest', slow branch (delivered + dropped)", count, slow.state.received + slow.state.dropped);
  return { fastMs, slow: slow.state };
}

/** 'slowest' for `durationMs` of real time: how much of the source was read, and whether anyone got more than it granted. */
async function slowest(count: number, durationMs: number) {
  const source = counted(count);
  const shared = shareWithCredits((credits) => pullFrom(source.items(), credits), { startAfter: 2 });
  const fast = consumer(0);
  const slow = consumer(10);
  const subscriptions = [
    shared.branch(fast.state.credits).subscribe(fast.next),
    shared.branch(slow.state.credits).subscribe(slow.next),
  ];
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  for (const subscription of subscriptions) subscription.unsubscribe();
  fast.state.done = true;
  slow.state.done = true;
  return { reads: source.state.reads, fast: fast.state, slow: slow.state };
}

/** share() over the same generator: how long until everything was read, whatever the consumers' pace. */
function plainShare(count: number) {
  const source = counted(count);
  // connectable: a synchronous source shared with share() would flood its first subscriber alone.
  const shared = connectable(from(source.items()));
  const slowCredits = new CreditController({ initial: 1 });
  let fast = 0;
  let slowHeldOrDropped = 0;
  const started = performance.now();
  const slow = shared
    .pipe(requestCredits(slowCredits, { strategy: 'latest', onDrop: () => slowHeldOrDropped++ }))
    .subscribe();
  shared.subscribe(() => {
    fast++;
  });
  shared.connect();
  const ms = performance.now() - started;
  // The slow consumer never grants again: let go of the reading it still holds, or it stalls at exit.
  slow.unsubscribe();
  checkCount('connectable, fast subscriber', count, fast);
  return { ms, reads: source.state.reads };
}

/** Two fast branches (grants of 16) sharing a pull source: the cost of sharing with credits. */
function twoFastBranches(count: number): Contender {
  return {
    name: "shareWithCredits 'slowest', two branches granting 16 at a time",
    run: () => {
      const source = counted(count);
      const shared = shareWithCredits((credits) => pullFrom(source.items(), credits), { startAfter: 2 });
      const received = [0, 0];
      for (const index of [0, 1]) {
        const credits = new CreditController({ initial: 16 });
        shared.branch(credits).subscribe(() => {
          received[index] = (received[index] ?? 0) + 1;
          if ((received[index] as number) % 16 === 0) credits.grant(16);
        });
      }
      checkCount('second branch', count, received[1] ?? 0);
      return received[0] ?? 0;
    },
  };
}

function twoShareSubscribers(count: number): Contender {
  return {
    name: 'connectable(from(generator)), two subscribers',
    run: () => {
      const source = counted(count);
      const shared = connectable(from(source.items()));
      let first = 0;
      let second = 0;
      shared.subscribe(() => {
        second++;
      });
      shared.subscribe(() => {
        first++;
      });
      shared.connect();
      return first + second;
    },
  };
}

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const count = options.quick ? 10_000 : 1_000_000;
  const target = targetJudge(options);
  const rows: BenchmarkRow[] = [];

  const fast = await fastest(count);
  rows.push({
    name: `'fastest', pullFrom ${count.toLocaleString('en-US')}: fast branch (no delay)`,
    itemsPerSecond: count / (fast.fastMs / 1000),
    ratio: `slow branch (10 ms, 'latest'): ${fast.slow.received} delivered, ${fast.slow.dropped.toLocaleString('en-US')} reported dropped`,
  });
  const shared = plainShare(count);
  rows.push({
    name: '  connectable(from(generator)), same two consumers',
    itemsPerSecond: count / (shared.ms / 1000),
    ratio: `ours ${factor(shared.ms / fast.fastMs)} as fast; it reads all ${shared.reads.toLocaleString('en-US')} whatever the pace`,
  });

  const durationMs = options.quick ? 200 : 2_000;
  const slow = await slowest(count, durationMs);
  const readsPerSecond = slow.reads / (durationMs / 1000);
  rows.push({
    name: `'slowest', same source, ${durationMs / 1000} s: reads of the source`,
    itemsPerSecond: readsPerSecond,
    ratio: target(
      'read at the slow pace (<= 100/s), none over its grant',
      `fast got ${slow.fast.received}, slow ${slow.slow.received}`,
      readsPerSecond <= 101 && !slow.fast.overGranted && !slow.slow.overGranted,
    ),
  });
  rows.push({
    name: '  connectable (share() without the flood race): reads of the source',
    itemsPerSecond: shared.reads / (shared.ms / 1000),
    ratio: 'everything at once: the slow consumer must hold or drop it',
  });

  const throughputItems = options.quick ? 20_000 : 1_000_000;
  const ours = twoFastBranches(throughputItems);
  const peer = twoShareSubscribers(throughputItems);
  const rateOf = await measureThroughput(
    throughputItems,
    [ours],
    options.quick ? { warmups: 0, timed: 1 } : { warmups: 1, timed: 5 },
  );
  const peerRate = await measureThroughput(
    2 * throughputItems,
    [peer],
    options.quick ? { warmups: 0, timed: 1 } : { warmups: 1, timed: 5 },
  );
  rows.push(
    {
      name: `${ours.name}, ${throughputItems.toLocaleString('en-US')} items`,
      itemsPerSecond: rateOf(ours),
      ratio: `${factor(peerRate(peer) / 2 / rateOf(ours))} connectable's cost per item`,
    },
    { name: `  ${peer.name} (per item of the source)`, itemsPerSecond: peerRate(peer) / 2 },
  );
  return rows;
}
