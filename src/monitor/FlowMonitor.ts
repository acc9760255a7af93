import { interval, Observable, type SchedulerLike, Subject, type Subscriber, type Subscription } from 'rxjs';
import { describeValue, knownOptions, numberOption } from '../core/validation.js';
import { schedulerOption } from '../internal/schedulerOption.js';
import { AlertEvaluator } from './AlertEvaluator.js';
import type { AlertRules } from './AlertRules.js';
import type { FlowAlert } from './FlowAlert.js';
import type { FlowSnapshot } from './FlowSnapshot.js';
import { registerMonitor } from './monitorOption.js';
import { ProbeBoard } from './ProbeBoard.js';

/**
 * Options of {@link FlowMonitor}. Every one is checked when the monitor is created.
 *
 * @example
 * ```ts
 * import { FlowMonitor, type FlowMonitorOptions } from 'rxjs-backpressure';
 *
 * const options: FlowMonitorOptions = {
 *   name: 'checkout',
 *   interval: 5_000,
 *   alerts: { bufferAbove: { ratio: 0.8, for: 10_000 } },
 * };
 * const monitor = new FlowMonitor(options);
 * ```
 */
export interface FlowMonitorOptions {
  /** Names the monitored flow in snapshots, alerts and metrics: a non-empty string. */
  readonly name: string;
  /** Milliseconds between two snapshots of `metrics$`: positive and finite. Default 1000. */
  readonly interval?: number;
  /** The clock and the timer. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** When to raise alerts on `alerts$`. Default: none. */
  readonly alerts?: AlertRules;
}

/** The delivered count at a moment, for throughput. */
interface Checkpoint {
  readonly at: number;
  readonly delivered: number;
}

/**
 * Watches one flow: give it as the `monitor` option of a stage (`requestCredits`, `withHandshake`, `pullFrom`)
 * and, when they have one, of the service behind it and of its circuit breaker. It reads the counters
 * they keep anyway only when it takes a snapshot, so a monitored stage does no extra work per item.
 *
 * - `snapshot()` tells the state now, synchronously: received, delivered, buffered, dropped by reason,
 *   outstanding credit, throughput, and the service's calls in flight, capacity, utilization, latency
 *   and breaker state when they are attached (see {@link FlowSnapshot}).
 * - `metrics$` emits a snapshot every `interval` ms and `alerts$` the alerts its {@link AlertRules}
 *   raise and clear. Both share one timer, which runs only while one of them has a subscriber: it
 *   starts with the first subscription and stops when the last one leaves. Alerts are checked at each
 *   tick. Both are hot: a subscriber sees what happens from then on; neither ever completes.
 * - One stage at a time: a monitor watches one `requestCredits` or `withHandshake` subscription at a
 *   time, one service and one circuit breaker. A second stage subscribing while the first runs is
 *   refused: its subscription errors with a `BackpressureError` of code `'ERR_MONITOR_IN_USE'` (a
 *   second service or breaker throws it at construction). Give each stage its own monitor. Subscribing
 *   again after the first ended (`retry`, `repeat`) is fine: the counts continue.
 * - `throughput` is items delivered per second over the last interval: at a tick, exactly the interval
 *   that just ended; from `snapshot()` between ticks, since the tick before the latest one (so a reading
 *   never rests on a sliver of time). Without ticks, `snapshot()` itself marks the intervals.
 *
 * @example
 * ```ts
 * import { range } from 'rxjs';
 * import { CreditController, FlowMonitor, requestCredits } from 'rxjs-backpressure';
 *
 * const monitor = new FlowMonitor({ name: 'ingest', interval: 1000, alerts: { drops: true } });
 * monitor.metrics$.subscribe((s) => console.log(`${s.delivered} delivered, ${s.buffered} waiting`));
 * monitor.alerts$.subscribe((alert) => console.warn(alert.message));
 *
 * const credits = new CreditController({ initial: 10 });
 * range(0, 100).pipe(requestCredits(credits, { bufferSize: 50, overflow: 'drop-oldest', monitor })).subscribe();
 * console.log(monitor.snapshot().dropped.overflow); // 40
 * ```
 */
export class FlowMonitor {
  /** The name given, in every snapshot and alert. */
  readonly name: string;
  /** Milliseconds between two ticks. */
  readonly interval: number;
  /** A snapshot every `interval` ms while subscribed. */
  readonly metrics$: Observable<FlowSnapshot>;
  /** Alerts raised and cleared, checked at each tick while subscribed. */
  readonly alerts$: Observable<FlowAlert>;

  readonly #scheduler: SchedulerLike;
  readonly #board: ProbeBoard;
  readonly #rules: AlertEvaluator;
  readonly #snapshots = new Subject<FlowSnapshot>();
  readonly #alerts = new Subject<FlowAlert>();
  /** Subscribers of `metrics$` and `alerts$`: the timer runs while there are some. */
  #listeners = 0;
  #timer: Subscription | undefined;
  #previous: Checkpoint;
  #latest: Checkpoint;

  constructor(options: FlowMonitorOptions) {
    const given = knownOptions(options, ['name', 'interval', 'scheduler', 'alerts'], 'options');
    const name = given.name;
    if (typeof name !== 'string') {
      throw new TypeError(`options.name must be a non-empty string, got ${describeValue(name)}.`);
    }
    if (name.length === 0) throw new RangeError(`options.name must be a non-empty string, got ''.`);
    this.name = name;
    this.interval = numberOption(
      given.interval ?? 1000,
      'options.interval',
      'a positive finite number of milliseconds',
      (ms) => ms > 0 && Number.isFinite(ms),
    );
    this.#scheduler = schedulerOption(given.scheduler, 'options.scheduler');
    this.#rules = new AlertEvaluator(given.alerts, 'options.alerts');
    this.#board = new ProbeBoard(name, this.#scheduler);
    registerMonitor(this, this.#board);
    this.#latest = { at: this.#scheduler.now(), delivered: 0 };
    this.#previous = this.#latest;

    this.metrics$ = new Observable<FlowSnapshot>((subscriber) => {
      subscriber.add(this.#snapshots.subscribe(subscriber));
      this.#listen(subscriber);
    });
    this.alerts$ = new Observable<FlowAlert>((subscriber) => {
      subscriber.add(this.#alerts.subscribe(subscriber));
      this.#listen(subscriber);
    });
  }

  /** The state now. Cheap enough to call often: it reads counters, nothing is recorded per item. */
  snapshot(): FlowSnapshot {
    return this.#take(false);
  }

  #take(tick: boolean): FlowSnapshot {
    const at = this.#scheduler.now();
    const reading = this.#board.read();
    // While the timer runs only ticks mark intervals: a read just before a late tick would otherwise
    // leave that tick a sliver of time to measure.
    if (tick || (this.#timer === undefined && at - this.#latest.at >= this.interval)) {
      this.#previous = this.#latest;
      this.#latest = { at, delivered: reading.delivered };
    }
    const span = at - this.#previous.at;
    const throughput = span > 0 ? ((reading.delivered - this.#previous.delivered) * 1000) / span : 0;
    return { name: this.name, at, ...reading, throughput };
  }

  #listen(subscriber: Subscriber<unknown>): void {
    if (this.#listeners++ === 0) {
      // A fresh start: throughput and alert durations count from now, not from before the pause.
      const start = this.#take(true);
      this.#rules.restart(start);
      this.#timer = interval(this.interval, this.#scheduler).subscribe(() => this.#tick());
    }
    subscriber.add(() => {
      if (--this.#listeners > 0) return;
      this.#timer?.unsubscribe();
      this.#timer = undefined;
    });
  }

  #tick(): void {
    const snapshot = this.#take(true);
    this.#snapshots.next(snapshot);
    this.#rules.evaluate(snapshot, (alert) => this.#alerts.next(alert));
  }
}
