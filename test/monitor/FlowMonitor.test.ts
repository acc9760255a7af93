import {
  concat,
  NEVER,
  Observable,
  of,
  range,
  Subject,
  type Subscriber,
  VirtualAction,
  VirtualTimeScheduler,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type AlertRules,
  BackpressureError,
  CreditController,
  type FlowAlert,
  FlowMonitor,
  type FlowMonitorOptions,
  type FlowSnapshot,
  requestCredits,
  type Service,
  withHandshake,
} from '../../src/index.js';
import { monitorOption } from '../../src/monitor/monitorOption.js';

/** A virtual clock that runs until `end`, and a way to act at a given time on it. */
function virtualTime(end = 60_000) {
  const scheduler = new VirtualTimeScheduler(VirtualAction, end);
  return {
    scheduler,
    at: (time: number, work: () => void) => scheduler.schedule(work, time - scheduler.now()),
  };
}

/** A service whose calls (Observables) run until the test finishes them; it tells its load. */
class FakeService implements Service<number, number> {
  active = 0;
  readonly calls: Subscriber<number>[] = [];

  constructor(public capacity: number) {}

  isReady(): boolean {
    return this.active < this.capacity;
  }

  do(): Observable<number> {
    return new Observable<number>((subscriber) => {
      this.active++;
      this.calls.push(subscriber);
      subscriber.add(() => {
        if (this.calls.includes(subscriber)) this.active--;
      });
    });
  }

  /** The oldest call ends, freeing its slot before its caller hears of it. */
  finishOne(): void {
    const call = this.calls.shift();
    if (call === undefined) return;
    this.active--;
    call.next(1);
    call.complete();
  }
}

function droppedTotal(snapshot: FlowSnapshot): number {
  return Object.values(snapshot.dropped).reduce((sum, n) => sum + n, 0);
}

describe('FlowMonitor', () => {
  describe('options', () => {
    it.each<[string, unknown, ErrorConstructor, RegExp]>([
      ['no options', undefined, TypeError, /options\.name must be a non-empty string, got undefined/],
      ['options that are not an object', 'orders', TypeError, /options must be an object, got 'orders'/],
      [
        'a name that is not a string',
        { name: 7 },
        TypeError,
        /options\.name must be a non-empty string, got 7/,
      ],
      ['an empty name', { name: '' }, RangeError, /options\.name must be a non-empty string, got ''/],
      [
        'an unknown option',
        { name: 'a', intervall: 500 },
        TypeError,
        /^options\.intervall is not an option here; the options are name, interval, scheduler, alerts\.$/,
      ],
      [
        'an option spelt in another case',
        { name: 'a', Alerts: {} },
        TypeError,
        /^options\.Alerts is not an option here \(did you mean alerts\?\)/,
      ],
      ['an interval of 0', { name: 'a', interval: 0 }, RangeError, /options\.interval must be .*got 0/],
      ['a negative interval', { name: 'a', interval: -5 }, RangeError, /options\.interval .*got -5/],
      ['an infinite interval', { name: 'a', interval: Infinity }, RangeError, /options\.interval .*Infinity/],
      ['an interval as a string', { name: 'a', interval: '1000' }, TypeError, /options\.interval .*'1000'/],
      ['a scheduler without schedule', { name: 'a', scheduler: {} }, TypeError, /options\.scheduler/],
      ['alerts that are not an object', { name: 'a', alerts: true }, TypeError, /options\.alerts must be/],
      [
        'an unknown rule',
        { name: 'a', alerts: { dropz: true } },
        TypeError,
        /options\.alerts has no rule 'dropz'/,
      ],
      [
        'a negative utilization ratio',
        { name: 'a', alerts: { utilizationAbove: { ratio: -0.1, for: 0 } } },
        RangeError,
        /options\.alerts\.utilizationAbove\.ratio .*got -0\.1/,
      ],
      [
        'a buffer ratio of 1, which a buffer can never be above',
        { name: 'a', alerts: { bufferAbove: { ratio: 1, for: 0 } } },
        RangeError,
        /options\.alerts\.bufferAbove\.ratio must be a number >= 0 and below 1.*got 1/,
      ],
      [
        'a rule without its duration',
        { name: 'a', alerts: { bufferAbove: { ratio: 0.5 } } },
        TypeError,
        /options\.alerts\.bufferAbove\.for must be .*got undefined/,
      ],
      [
        'a NaN duration',
        { name: 'a', alerts: { utilizationAbove: { ratio: 0.5, for: Number.NaN } } },
        RangeError,
        /options\.alerts\.utilizationAbove\.for .*got NaN/,
      ],
      ['a drops rule that is not a boolean', { name: 'a', alerts: { drops: 1 } }, TypeError, /alerts\.drops/],
      [
        'a breakerOpen rule that is not a boolean',
        { name: 'a', alerts: { breakerOpen: 'yes' } },
        TypeError,
        /options\.alerts\.breakerOpen must be a boolean, got 'yes'/,
      ],
    ])('refuses %s with a typed error naming the option and the value', (_, options, kind, message) => {
      expect(() => new FlowMonitor(options as FlowMonitorOptions)).toThrow(kind);
      expect(() => new FlowMonitor(options as FlowMonitorOptions)).toThrow(message);
    });

    it('accepts every rule of the issue and defaults the interval to 1000 ms', () => {
      const alerts: AlertRules = {
        utilizationAbove: { ratio: 0.9, for: 5000 },
        bufferAbove: { ratio: 0.8, for: 0 },
        drops: true,
        breakerOpen: false,
      };
      const monitor = new FlowMonitor({ name: 'orders', alerts });
      expect(monitor.name).toBe('orders');
      expect(monitor.interval).toBe(1000);
    });

    it('is refused as a monitor option when it is not a FlowMonitor, when the operator is created', () => {
      const credits = new CreditController();
      expect(() => requestCredits(credits, { monitor: {} as FlowMonitor })).toThrow(
        /options\.monitor must be a FlowMonitor, got an object/,
      );
      expect(() => withHandshake(new FakeService(1), { monitor: 'm' as unknown as FlowMonitor })).toThrow(
        TypeError,
      );
    });
  });

  describe('snapshot()', () => {
    it('reports zero counts, the name and the time when nothing is attached', () => {
      const { scheduler, at } = virtualTime();
      const monitor = new FlowMonitor({ name: 'idle', scheduler });
      let snapshot: FlowSnapshot | undefined;
      at(250, () => (snapshot = monitor.snapshot()));
      scheduler.flush();
      expect(snapshot).toEqual({
        name: 'idle',
        at: 250,
        received: 0,
        delivered: 0,
        buffered: 0,
        dropped: { overflow: 0, 'no-credit': 0, replaced: 0, expired: 0, error: 0, unsubscribed: 0 },
        outstandingCredit: 0,
        throughput: 0,
      });
    });

    it("reads a requestCredits stage's counts, buffer and outstanding credit synchronously", () => {
      const monitor = new FlowMonitor({ name: 'ingest' });
      const credits = new CreditController({ initial: 10 });
      // A source that never completes keeps the stage subscribed (an ended stage reports no credit).
      const subscription = concat(range(0, 100), NEVER)
        .pipe(requestCredits(credits, { bufferSize: 50, overflow: 'drop-oldest', monitor }))
        .subscribe();
      const snapshot = monitor.snapshot();
      expect(snapshot).toMatchObject({ received: 100, delivered: 10, buffered: 50, bufferSize: 50 });
      expect(snapshot.dropped.overflow).toBe(40);
      expect(snapshot.outstandingCredit).toBe(0);
      credits.grant(5);
      expect(monitor.snapshot()).toMatchObject({ delivered: 15, buffered: 45, outstandingCredit: 0 });
      credits.grant(100);
      expect(monitor.snapshot()).toMatchObject({ delivered: 60, buffered: 0, outstandingCredit: 55 });
      subscription.unsubscribe();
    });

    it('reports Infinity as outstanding credit once credit is unbounded', () => {
      const monitor = new FlowMonitor({ name: 'open' });
      const credits = new CreditController();
      const subscription = new Subject<number>().pipe(requestCredits(credits, { monitor })).subscribe();
      credits.grant(Number.POSITIVE_INFINITY);
      expect(monitor.snapshot().outstandingCredit).toBe(Number.POSITIVE_INFINITY);
      subscription.unsubscribe();
    });

    it('keeps the final counts of a stage that ended, and buffered items unsubscribed count as drops', () => {
      const monitor = new FlowMonitor({ name: 'ended' });
      const subscription = range(0, 10)
        .pipe(requestCredits(new CreditController({ initial: 4 }), { monitor }))
        .subscribe();
      subscription.unsubscribe();
      const snapshot = monitor.snapshot();
      expect(snapshot).toMatchObject({ received: 10, delivered: 4, buffered: 0, outstandingCredit: 0 });
      expect(snapshot.dropped.unsubscribed).toBe(6);
      expect(snapshot.bufferSize).toBeUndefined();
    });

    it("reads withHandshake's own calls in flight, and the service's capacity and utilization", () => {
      const monitor = new FlowMonitor({ name: 'calls' });
      const service = new FakeService(4);
      const source = new Subject<number>();
      const subscription = source.pipe(withHandshake(service, { bufferSize: 8, monitor })).subscribe();
      for (let i = 0; i < 7; i++) source.next(i);
      expect(monitor.snapshot()).toMatchObject({
        received: 7,
        delivered: 4,
        buffered: 3,
        bufferSize: 8,
        inFlight: 4,
        capacity: 4,
        utilization: 1,
        outstandingCredit: 0,
      });
      service.finishOne();
      expect(monitor.snapshot()).toMatchObject({ delivered: 5, buffered: 2, inFlight: 4 });
      service.capacity = 8;
      expect(monitor.snapshot()).toMatchObject({ capacity: 8, utilization: 0.5, outstandingCredit: 4 });
      subscription.unsubscribe();
      expect(monitor.snapshot()).toMatchObject({ buffered: 0, outstandingCredit: 0 });
      expect(monitor.snapshot().inFlight).toBeUndefined();
    });

    it('reports only calls in flight for a service that does not tell its capacity', () => {
      const monitor = new FlowMonitor({ name: 'plain' });
      const plain: Service<number, number> = { isReady: () => true, do: () => new Observable<number>() };
      const subscription = range(0, 3).pipe(withHandshake(plain, { monitor })).subscribe();
      const snapshot = monitor.snapshot();
      expect(snapshot).toMatchObject({ delivered: 3, inFlight: 3, outstandingCredit: 0 });
      expect(snapshot).not.toHaveProperty('capacity');
      expect(snapshot).not.toHaveProperty('utilization');
      subscription.unsubscribe();
    });
  });

  describe('one stage at a time', () => {
    it('refuses a second concurrent subscription through its error, leaving the first untouched', () => {
      const monitor = new FlowMonitor({ name: 'shared' });
      const source = new Subject<number>();
      const stage = source.pipe(requestCredits(new CreditController({ initial: 100 }), { monitor }));
      const first: number[] = [];
      stage.subscribe((n) => first.push(n));
      let refusal: unknown;
      const second = stage.subscribe({ error: (error: unknown) => (refusal = error) });
      expect(second.closed).toBe(true);
      expect(refusal).toBeInstanceOf(BackpressureError);
      expect(refusal).toMatchObject({ code: 'ERR_MONITOR_IN_USE' });
      expect((refusal as Error).message).toContain("FlowMonitor 'shared' already watches a stage");
      source.next(1);
      expect(first).toEqual([1]);
      expect(monitor.snapshot()).toMatchObject({ received: 1, delivered: 1 });
    });

    it('refuses two different stages at once, and never subscribes the refused one to its source', () => {
      const monitor = new FlowMonitor({ name: 'two' });
      new Subject<number>().pipe(requestCredits(new CreditController(), { monitor })).subscribe();
      let subscribed = false;
      const source = new Observable<number>(() => {
        subscribed = true;
      });
      let code: unknown;
      source
        .pipe(withHandshake(new FakeService(1), { monitor }))
        .subscribe({ error: (error: { code?: unknown }) => (code = error.code) });
      expect(code).toBe('ERR_MONITOR_IN_USE');
      expect(subscribed).toBe(false);
    });

    it('accepts a new subscription once the first ended, and its counts continue', () => {
      const monitor = new FlowMonitor({ name: 'again' });
      const stage = range(0, 5).pipe(requestCredits(of(100), { monitor }));
      stage.subscribe();
      let error: unknown;
      stage.subscribe({ error: (e: unknown) => (error = e) });
      expect(error).toBeUndefined();
      expect(monitor.snapshot()).toMatchObject({ received: 10, delivered: 10 });
    });
  });

  describe('metrics$', () => {
    it('emits a snapshot every interval, with throughput in items per second over the last interval', () => {
      const { scheduler, at } = virtualTime();
      const monitor = new FlowMonitor({ name: 'rate', interval: 500, scheduler });
      const credits = new CreditController({ initial: Number.POSITIVE_INFINITY });
      const source = new Subject<number>();
      source.pipe(requestCredits(credits, { monitor })).subscribe();
      const seen: Pick<FlowSnapshot, 'at' | 'delivered' | 'throughput'>[] = [];
      const subscription = monitor.metrics$.subscribe(({ at, delivered, throughput }) =>
        seen.push({ at, delivered, throughput }),
      );
      at(100, () => {
        for (let i = 0; i < 10; i++) source.next(i);
      });
      at(700, () => {
        for (let i = 0; i < 40; i++) source.next(i);
      });
      at(1600, () => subscription.unsubscribe());
      scheduler.flush();
      expect(seen).toEqual([
        { at: 500, delivered: 10, throughput: 20 },
        { at: 1000, delivered: 50, throughput: 80 },
        { at: 1500, delivered: 50, throughput: 0 },
      ]);
    });

    it('keeps the throughput of a tick over the whole interval when snapshot() is read just before it', () => {
      const { scheduler, at } = virtualTime();
      const monitor = new FlowMonitor({ name: 'read-often', interval: 500, scheduler });
      const source = new Subject<number>();
      source
        .pipe(requestCredits(new CreditController({ initial: Number.POSITIVE_INFINITY }), { monitor }))
        .subscribe();
      at(100, () => {
        for (let i = 0; i < 10; i++) source.next(i);
      });
      // Scheduled before the timer, so it runs first at 500: an OpenTelemetry collection, say.
      at(500, () => monitor.snapshot());
      const seen: number[] = [];
      const subscription = monitor.metrics$.subscribe(({ throughput }) => seen.push(throughput));
      at(600, () => subscription.unsubscribe());
      scheduler.flush();
      expect(seen).toEqual([20]);
    });

    it('measures throughput from snapshot() alone when nothing ticks, over at least one interval', () => {
      const { scheduler, at } = virtualTime();
      const monitor = new FlowMonitor({ name: 'pull', scheduler });
      const source = new Subject<number>();
      source
        .pipe(requestCredits(new CreditController({ initial: Number.POSITIVE_INFINITY }), { monitor }))
        .subscribe();
      const throughputs: number[] = [];
      const deliver = (n: number) => {
        for (let i = 0; i < n; i++) source.next(i);
      };
      at(200, () => deliver(10));
      at(1000, () => throughputs.push(monitor.snapshot().throughput)); // a checkpoint: 10 in [0, 1000]
      at(1500, () => deliver(20));
      at(1600, () => throughputs.push(monitor.snapshot().throughput)); // 30 in [0, 1600]
      at(2000, () => throughputs.push(monitor.snapshot().throughput)); // a checkpoint: 20 in [1000, 2000]
      scheduler.flush();
      expect(throughputs).toEqual([10, 18.75, 20]);
    });

    it('runs its timer only while subscribed: unsubscribing the last subscriber stops it', () => {
      const { scheduler, at } = virtualTime();
      const monitor = new FlowMonitor({ name: 'timer', scheduler });
      expect(scheduler.actions).toHaveLength(0);
      const times: number[] = [];
      const metrics = monitor.metrics$.subscribe((s) => times.push(s.at));
      const alerts = monitor.alerts$.subscribe();
      expect(scheduler.actions).toHaveLength(1);
      at(2500, () => metrics.unsubscribe());
      at(3500, () => {
        expect(scheduler.actions).toHaveLength(1); // alerts$ still listens
        alerts.unsubscribe();
        expect(scheduler.actions).toHaveLength(0);
      });
      scheduler.flush();
      expect(times).toEqual([1000, 2000]);
      expect(scheduler.now()).toBe(3500);
    });

    it('starts a fresh timer for a subscriber that comes after the last one left', () => {
      const { scheduler, at } = virtualTime(10_000);
      const monitor = new FlowMonitor({ name: 'again', scheduler });
      const times: number[] = [];
      const first = monitor.metrics$.subscribe((s) => times.push(s.at));
      at(1500, () => first.unsubscribe());
      at(4200, () => {
        const second = monitor.metrics$.subscribe((s) => times.push(s.at));
        at(6500, () => second.unsubscribe());
      });
      scheduler.flush();
      expect(times).toEqual([1000, 5200, 6200]);
    });
  });

  describe('alerts$', () => {
    /** Runs a monitor with `alerts` on a virtual clock, returning the alerts as `at rule status`. */
    function alertsOf(
      alerts: AlertRules,
      script: (monitor: FlowMonitor, at: (time: number, work: () => void) => void) => void,
      end = 20_000,
    ): { lines: string[]; alerts: FlowAlert[] } {
      const { scheduler, at } = virtualTime(end);
      const monitor = new FlowMonitor({ name: 'm', scheduler, alerts });
      const seen: FlowAlert[] = [];
      monitor.alerts$.subscribe((alert) => seen.push(alert));
      script(monitor, at);
      scheduler.flush();
      return { lines: seen.map((a) => `${a.at} ${a.rule} ${a.status}`), alerts: seen };
    }

    it('raises utilizationAbove after it held at every tick for its duration, and clears when it stops', () => {
      const service = { capacity: 10, active: 0 };
      const { lines, alerts } = alertsOf({ utilizationAbove: { ratio: 0.9, for: 3000 } }, (monitor, at) => {
        monitorOption(monitor, 'monitor')?.attachService(service);
        at(500, () => (service.active = 10));
        at(6500, () => (service.active = 5));
      });
      // First seen holding at the tick of 1000, so it has held for 3000 ms at the tick of 4000.
      expect(lines).toEqual(['4000 utilizationAbove raised', '7000 utilizationAbove cleared']);
      expect(alerts[0]).toMatchObject({ name: 'm', message: 'm: utilization 1 above 0.9 for 3000 ms' });
      expect(alerts[1]?.message).toBe('m: utilization 0.5, no longer above 0.9');
    });

    it('starts the duration again when the rule stopped holding at a tick in between', () => {
      const service = { capacity: 10, active: 0 };
      const { lines } = alertsOf({ utilizationAbove: { ratio: 0.9, for: 3000 } }, (monitor, at) => {
        monitorOption(monitor, 'monitor')?.attachService(service);
        at(500, () => (service.active = 10));
        at(2500, () => (service.active = 1));
        at(3500, () => (service.active = 10));
      });
      expect(lines).toEqual(['7000 utilizationAbove raised']);
    });

    it('raises bufferAbove by the share of bufferSize waiting, and clears once the buffer drains', () => {
      const credits = new CreditController();
      const source = new Subject<number>();
      const { lines, alerts } = alertsOf({ bufferAbove: { ratio: 0.5, for: 2000 } }, (monitor, at) => {
        source.pipe(requestCredits(credits, { bufferSize: 10, monitor })).subscribe();
        at(100, () => {
          for (let i = 0; i < 5; i++) source.next(i); // exactly half: not above
        });
        at(1100, () => source.next(5));
        at(5500, () => credits.grant(3));
      });
      expect(lines).toEqual(['4000 bufferAbove raised', '6000 bufferAbove cleared']);
      expect(alerts[0]?.message).toBe('m: buffer 6 of 10 above 0.5 full for 2000 ms');
      expect(alerts[1]?.message).toBe('m: buffer 3 of 10, no longer above 0.5 full');
    });

    it('raises drops at the tick after any drop, with the count by reason, and clears after a quiet interval', () => {
      const source = new Subject<number>();
      const { lines, alerts } = alertsOf(
        { drops: true },
        (monitor, at) => {
          source.pipe(requestCredits(new CreditController(), { strategy: 'drop', monitor })).subscribe();
          at(1500, () => {
            source.next(1);
            source.next(2);
          });
          at(2500, () => source.next(3)); // still dropping: stays raised
          at(5200, () => source.next(4));
        },
        8000,
      );
      expect(lines).toEqual([
        '2000 drops raised',
        '4000 drops cleared',
        '6000 drops raised',
        '7000 drops cleared',
      ]);
      expect(alerts[0]?.message).toBe('m: 2 items dropped in the last 1000 ms (no-credit 2)');
      expect(alerts[1]?.message).toBe('m: no drops for 1000 ms');
      expect(alerts[2]?.message).toBe('m: 1 item dropped in the last 1000 ms (no-credit 1)');
    });

    it('does not count drops made before its timer started', () => {
      const source = new Subject<number>();
      const { scheduler } = virtualTime(3000);
      const monitor = new FlowMonitor({ name: 'late', scheduler, alerts: { drops: true } });
      source.pipe(requestCredits(new CreditController(), { strategy: 'drop', monitor })).subscribe();
      source.next(1);
      const seen: FlowAlert[] = [];
      monitor.alerts$.subscribe((alert) => seen.push(alert));
      scheduler.flush();
      expect(seen).toEqual([]);
    });

    it('raises breakerOpen while the breaker is open at the ticks, and clears when it is not', () => {
      const breaker: { state: 'closed' | 'open' | 'half-open' } = { state: 'closed' };
      const { lines, alerts } = alertsOf(
        { breakerOpen: true },
        (monitor, at) => {
          monitorOption(monitor, 'monitor')?.attachBreaker(breaker);
          at(1200, () => (breaker.state = 'open'));
          at(3300, () => (breaker.state = 'half-open'));
          // Open and closed again between two ticks: the ticks never see it open.
          at(4100, () => (breaker.state = 'open'));
          at(4900, () => (breaker.state = 'closed'));
        },
        6000,
      );
      expect(lines).toEqual(['2000 breakerOpen raised', '4000 breakerOpen cleared']);
      expect(alerts.map((a) => a.message)).toEqual([
        'm: circuit breaker open',
        'm: circuit breaker half-open',
      ]);
    });

    it('raises nothing for rules that are not given', () => {
      const service = { capacity: 1, active: 1 };
      const source = new Subject<number>();
      const { lines } = alertsOf(
        {},
        (monitor, at) => {
          monitorOption(monitor, 'monitor')?.attachService(service);
          source.pipe(requestCredits(new CreditController(), { strategy: 'drop', monitor })).subscribe();
          at(500, () => source.next(1));
        },
        5000,
      );
      expect(lines).toEqual([]);
    });
  });

  it('keeps the loss ledger in every snapshot it emits', () => {
    const { scheduler, at } = virtualTime(5000);
    const monitor = new FlowMonitor({ name: 'ledger', interval: 250, scheduler });
    const credits = new CreditController({ initial: 3 });
    const source = new Subject<number>();
    source.pipe(requestCredits(credits, { bufferSize: 4, overflow: 'drop-oldest', monitor })).subscribe();
    const snapshots: FlowSnapshot[] = [];
    monitor.metrics$.subscribe((s) => snapshots.push(s));
    for (let t = 100; t < 5000; t += 130) at(t, () => source.next(t));
    for (let t = 300; t < 5000; t += 700) at(t, () => credits.grant(2));
    scheduler.flush();
    expect(snapshots.length).toBe(20);
    for (const s of snapshots) expect(s.received).toBe(s.delivered + droppedTotal(s) + s.buffered);
  });
});
