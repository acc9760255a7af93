// Issue 17's credits by time, in real time: a producer that floods, pauses, then floods again, through
// requestCredits paced by rateCredits (a token bucket) beside the plain-RxJS way, `interval` as the
// credit signal, which piles up credit during the pause and releases it in one burst. On a loaded
// machine a stalled event loop costs the bucket credit (it holds at most `burst`, as a token bucket
// does), so the rate is judged within 10%.
import { interval, map, type Observable, Subject } from 'rxjs';
import { type CreditSource, rateCredits, requestCredits } from '../src/index.js';
import { type BenchmarkOptions, type BenchmarkRow, targetJudge } from './harness.js';

const perSecond = 1000;
const burst = 20;
/** A burst is counted over this window. */
const windowMs = 5;

interface Phases {
  readonly floodMs: number;
  readonly pauseMs: number;
}

/** Floods `source` for `floodMs`, pauses `pauseMs`, floods again: resolves with the delivery times. */
async function floodPauseFlood(
  credits: CreditSource,
  meter: <T>(source: Observable<T>) => Observable<T>,
  phases: Phases,
): Promise<{ deliveredAt: number[]; floodingMs: number }> {
  const source = new Subject<number>();
  const deliveredAt: number[] = [];
  const subscription = meter(source.pipe(requestCredits(credits, { strategy: 'drop' }))).subscribe(() =>
    deliveredAt.push(performance.now()),
  );
  const flood = (ms: number) =>
    new Promise<void>((resolve) => {
      const until = performance.now() + ms;
      const turn = () => {
        for (let n = 0; n < 100; n++) source.next(n);
        if (performance.now() < until) setImmediate(turn);
        else resolve();
      };
      turn();
    });
  await flood(phases.floodMs);
  await new Promise((resolve) => setTimeout(resolve, phases.pauseMs));
  await flood(phases.floodMs);
  subscription.unsubscribe();
  return { deliveredAt, floodingMs: 2 * phases.floodMs };
}

/** The most deliveries within any `windowMs`. */
function largestBurst(times: readonly number[]): number {
  let largest = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
    largest = Math.max(largest, end - start + 1);
  }
  return largest;
}

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const phases: Phases = options.quick ? { floodMs: 100, pauseMs: 100 } : { floodMs: 1_000, pauseMs: 500 };
  const target = targetJudge(options);

  const bucket = rateCredits({ perSecond, burst });
  const ours = await floodPauseFlood(bucket, (source) => source.pipe(bucket.meter()), phases);
  const ticks = interval(1000 / perSecond).pipe(map(() => 1));
  const peer = await floodPauseFlood(ticks, (source) => source, phases);

  const rateOf = (run: { deliveredAt: number[]; floodingMs: number }) =>
    run.deliveredAt.length / (run.floodingMs / 1000);
  const oursRate = rateOf(ours);
  const oursBurst = largestBurst(ours.deliveredAt);
  const pause = `${phases.pauseMs} ms pause`;
  return [
    {
      name: `rateCredits ${perSecond}/s, burst ${burst}: delivered while flooding, ${pause}`,
      itemsPerSecond: oursRate,
      ratio: target(
        `rate within 10% of ${perSecond}/s, at most burst + ${windowMs} in ${windowMs} ms`,
        `largest burst ${oursBurst}`,
        Math.abs(oursRate - perSecond) <= perSecond * 0.1 && oursBurst <= burst + windowMs,
      ),
    },
    {
      name: `  interval(${1000 / perSecond}) as the credit signal, same flood`,
      itemsPerSecond: rateOf(peer),
      ratio: `largest burst ${largestBurst(peer.deliveredAt)} in ${windowMs} ms (credit piled up during the pause)`,
    },
  ];
}
