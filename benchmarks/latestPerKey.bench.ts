// Issue 17's latest per key: 16 sensors at 10 kHz each into a consumer that needs 50 ms per delivery,
// in real time, through `strategy: 'latest'` with a key beside plain 'latest' and the plain-RxJS
// `groupBy` + `throttleTime` tuned to the consumer's pace; then the cost per reading of a flood.
import { concatMap, groupBy, mergeMap, Subject, Subscription, tap, throttleTime, timer } from 'rxjs';
import { CreditController, requestCredits } from '../src/index.js';
import {
  type BenchmarkOptions,
  type BenchmarkRow,
  type Contender,
  factor,
  measureThroughput,
  targetJudge,
} from './harness.js';

interface Reading {
  readonly sensor: number;
  readonly at: number;
}

const sensors = 16;
const perSensorPerMs = 10; // 10 kHz
const deliveryMs = 50;

/** What the consumer saw: the sensor of each delivery, the age of each reading, the most held at once. */
class SensorLog {
  readonly order: number[] = [];
  readonly ages: number[] = [];
  emitted = 0;
  accounted = 0;
  peakHeld = 0;

  deliver(reading: Reading): void {
    this.order.push(reading.sensor);
    this.ages.push(performance.now() - reading.at);
  }

  /** The most deliveries between two of one sensor (its first counted from the start). */
  maxGap(): number {
    let gap = 0;
    for (let sensor = 0; sensor < sensors; sensor++) {
      let last = -1;
      for (const [index, each] of this.order.entries()) {
        if (each !== sensor) continue;
        gap = Math.max(gap, index - last);
        last = index;
      }
      gap = Math.max(gap, this.order.length - last);
    }
    return gap;
  }

  ageP99(): number {
    const sorted = [...this.ages].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.NaN;
  }
}

/** Emits 10 readings per sensor per elapsed millisecond for `durationMs`, on a 1 ms timer. */
function produce(
  readings: Subject<Reading>,
  log: SensorLog,
  durationMs: number,
  held: () => number,
): Promise<void> {
  const started = performance.now();
  return new Promise((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      const due = Math.min(durationMs, Math.floor(now - started)) * perSensorPerMs * sensors;
      while (log.emitted < due) {
        readings.next({ sensor: log.emitted % sensors, at: now });
        log.emitted++;
      }
      log.peakHeld = Math.max(log.peakHeld, held());
      if (now - started >= durationMs) {
        clearInterval(tick);
        readings.complete();
        resolve();
      }
    }, 1);
  });
}

type Setup = 'latest per key' | "plain 'latest'" | 'groupBy + throttleTime(800)';

async function sensorRun(setup: Setup, durationMs: number): Promise<SensorLog> {
  const log = new SensorLog();
  const readings = new Subject<Reading>();
  let delivered = 0;
  let dropped = 0;
  let held: () => number;
  if (setup === 'groupBy + throttleTime(800)') {
    // Each sensor at most every 16 x 50 ms, the consumer's fair share, queued for the consumer.
    let throttled = 0;
    readings
      .pipe(
        groupBy((reading) => reading.sensor),
        mergeMap((group) =>
          group.pipe(throttleTime(sensors * deliveryMs, undefined, { leading: true, trailing: true })),
        ),
        tap(() => {
          throttled++;
        }),
        concatMap((reading) => {
          log.deliver(reading);
          delivered++;
          return timer(deliveryMs);
        }),
      )
      .subscribe();
    held = () => throttled - delivered;
  } else {
    const credits = new CreditController({ initial: 1 });
    readings
      .pipe(
        requestCredits(credits, {
          strategy: 'latest',
          ...(setup === 'latest per key' ? { key: (reading: Reading) => reading.sensor } : {}),
          onDrop: () => {
            dropped++;
          },
        }),
      )
      .subscribe((reading) => {
        log.deliver(reading);
        delivered++;
        setTimeout(() => credits.grant(1), deliveryMs);
      });
    held = () => log.emitted - delivered - dropped;
  }
  await produce(readings, log, durationMs, held);
  // throttleTime drops without a report: only the gate's ledger can be checked.
  log.accounted = setup === 'groupBy + throttleTime(800)' ? log.emitted : delivered + dropped + held();
  return log;
}

/** A flood: `items` readings of 16 sensors pushed at once, the consumer taking one in `every`. */
function flood(
  name: string,
  items: number,
  every: number,
  build: (
    credits: CreditController,
    readings: Subject<Reading>,
    onDrop: () => void,
    pipelines: Subscription,
  ) => () => number,
): Contender {
  return {
    name,
    run: () => {
      const credits = new CreditController({ initial: 1 });
      const readings = new Subject<Reading>();
      let dropped = 0;
      // Torn down once counted: a pipeline left holding readings with no credit would stall at exit.
      const pipelines = new Subscription();
      const delivered = build(
        credits,
        readings,
        () => {
          dropped++;
        },
        pipelines,
      );
      for (let n = 0; n < items; n++) {
        readings.next({ sensor: n % sensors, at: 0 });
        if (n % every === 0) credits.grant(1);
      }
      const held = items - delivered() - dropped;
      const accounted = delivered() + dropped + held;
      pipelines.unsubscribe();
      if (held < 0 || held > sensors)
        throw new Error(`${name}: ${held} readings held, expected 0 to ${sensors}.`);
      return accounted;
    },
  };
}

function counting(
  readings: Subject<Reading>,
  credits: CreditController,
  onDrop: () => void,
  key: boolean,
  pipelines: Subscription,
): () => number {
  let delivered = 0;
  const pipeline = readings
    .pipe(
      requestCredits(credits, {
        strategy: 'latest',
        onDrop,
        ...(key ? { key: (reading: Reading) => reading.sensor } : {}),
      }),
    )
    .subscribe(() => {
      delivered++;
    });
  pipelines.add(pipeline);
  return () => delivered;
}

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const durationMs = options.quick ? 300 : 5_000;
  const target = targetJudge(options);
  const rows: BenchmarkRow[] = [];
  for (const setup of ['latest per key', "plain 'latest'", 'groupBy + throttleTime(800)'] as const) {
    const log = await sensorRun(setup, durationMs);
    if (log.accounted !== log.emitted) {
      throw new Error(`${setup}: ${log.accounted} of ${log.emitted} readings accounted for.`);
    }
    const gap = log.maxGap();
    const p99 = log.ageP99();
    const figures = `refresh gap ${gap} deliveries, age p99 ${p99.toFixed(0)} ms, peak held ${log.peakHeld}`;
    rows.push({
      name: `${setup === 'latest per key' ? '' : '  '}16 sensors x 10 kHz, 50 ms consumer, ${durationMs / 1000} s: ${setup}`,
      itemsPerSecond: log.emitted / (durationMs / 1000),
      ratio:
        setup === 'latest per key'
          ? target(
              'gap <= 16, age p99 <= 100 ms, held <= 16',
              figures,
              gap <= sensors && p99 <= 2 * deliveryMs && log.peakHeld <= sensors,
            )
          : figures,
    });
  }

  const items = options.quick ? 20_000 : 2_000_000;
  const every = 100;
  const ours = flood('latest per key, flood', items, every, (credits, readings, onDrop, pipelines) =>
    counting(readings, credits, onDrop, true, pipelines),
  );
  const plain = flood("plain 'latest', flood", items, every, (credits, readings, onDrop, pipelines) =>
    counting(readings, credits, onDrop, false, pipelines),
  );
  const rateOf = await measureThroughput(
    items,
    [ours, plain],
    options.quick ? { warmups: 0, timed: 1 } : { warmups: 1, timed: 5 },
  );
  rows.push(
    {
      name: `latest per key, ${items.toLocaleString('en-US')} readings flooded, consumer takes 1 in ${every}`,
      itemsPerSecond: rateOf(ours),
      ratio: `${factor(rateOf(plain) / rateOf(ours))} plain 'latest's cost`,
    },
    { name: "  plain 'latest', same flood", itemsPerSecond: rateOf(plain) },
  );
  return rows;
}
