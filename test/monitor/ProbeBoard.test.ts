import { Subject, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  BackpressureError,
  type CircuitState,
  FlowMonitor,
  type Service,
  withHandshake,
} from '../../src/index.js';
import { monitorOption } from '../../src/monitor/monitorOption.js';
import type { ServiceProbe } from '../../src/monitor/ServiceProbe.js';

/**
 * A stand-in for TrackedService, wired to its monitor exactly as the services are: attach in the
 * constructor, time each call with callStarted / callSettled.
 */
class FakeTrackedService implements Service<number, number> {
  capacity: number;
  #active = 0;
  readonly #probe: ServiceProbe | undefined;
  readonly #settles: (() => void)[] = [];

  constructor(capacity: number, monitor?: FlowMonitor) {
    this.capacity = capacity;
    this.#probe = monitorOption(monitor, 'options.monitor')?.attachService(this);
  }

  get active(): number {
    return this.#active;
  }

  isReady(): boolean {
    return this.#active < this.capacity;
  }

  do(): Promise<number> {
    this.#active++;
    const startedAt = this.#probe?.callStarted();
    return new Promise((resolve) => {
      this.#settles.push(() => {
        this.#active--;
        if (startedAt !== undefined) this.#probe?.callSettled(startedAt);
        resolve(1);
      });
    });
  }

  /** Settles the oldest call. */
  settleOne(): void {
    this.#settles.shift()?.();
  }
}

/** A stand-in for circuitBreaker: a `state` getter. */
class FakeBreaker {
  state: CircuitState = 'closed';

  constructor(monitor: FlowMonitor) {
    monitorOption(monitor, 'options.monitor')?.attachBreaker(this);
  }
}

describe('the probes a FlowMonitor reads', () => {
  it("reads a service's calls in flight, capacity and utilization when the snapshot is taken", () => {
    const monitor = new FlowMonitor({ name: 'svc' });
    const service = new FakeTrackedService(4, monitor);
    void service.do();
    void service.do();
    void service.do();
    expect(monitor.snapshot()).toMatchObject({ inFlight: 3, capacity: 4, utilization: 0.75 });
    service.capacity = 0;
    expect(monitor.snapshot()).toMatchObject({ capacity: 0, utilization: 1 });
    expect(monitor.snapshot()).not.toHaveProperty('latency');
  });

  it("reports latency p50 and p99 of the service's calls, timed by the monitor's clock", () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, 10_000);
    const monitor = new FlowMonitor({ name: 'latency', scheduler });
    const service = new FakeTrackedService(1000, monitor);
    // Call i (1..100) takes i ms: started together at 0, settled one by one.
    for (let i = 1; i <= 100; i++) void service.do();
    for (let i = 1; i <= 100; i++) scheduler.schedule(() => service.settleOne(), i);
    scheduler.flush();
    expect(monitor.snapshot().latency).toEqual({ p50: 50, p99: 99 });
    expect(monitor.snapshot().inFlight).toBe(0);
  });

  it("prefers the service's count of calls in flight (every caller's) to the stage's own", () => {
    const monitor = new FlowMonitor({ name: 'both' });
    const service = new FakeTrackedService(10, monitor);
    void service.do(); // another caller's call
    const source = new Subject<number>();
    const subscription = source.pipe(withHandshake(service, { monitor })).subscribe();
    source.next(1);
    source.next(2);
    expect(monitor.snapshot()).toMatchObject({ delivered: 2, inFlight: 3, capacity: 10, utilization: 0.3 });
    subscription.unsubscribe();
  });

  it('reads the circuit breaker state', () => {
    const monitor = new FlowMonitor({ name: 'breaker' });
    const breaker = new FakeBreaker(monitor);
    expect(monitor.snapshot().breaker).toBe('closed');
    breaker.state = 'half-open';
    expect(monitor.snapshot().breaker).toBe('half-open');
  });

  it('refuses a second service or breaker on one monitor when it is constructed', () => {
    const monitor = new FlowMonitor({ name: 'taken' });
    new FakeTrackedService(1, monitor);
    new FakeBreaker(monitor);
    expect(() => new FakeTrackedService(1, monitor)).toThrow(BackpressureError);
    expect(() => new FakeTrackedService(1, monitor)).toThrow(/'taken' already watches a service/);
    expect(() => new FakeBreaker(monitor)).toThrow(expect.objectContaining({ code: 'ERR_MONITOR_IN_USE' }));
  });

  it('costs an unmonitored service nothing: no probe, no clock read', () => {
    let reads = 0;
    const scheduler = new VirtualTimeScheduler();
    const now = scheduler.now.bind(scheduler);
    scheduler.now = () => {
      reads++;
      return now();
    };
    new FlowMonitor({ name: 'unused', scheduler });
    const readsAtCreation = reads;
    const service = new FakeTrackedService(2);
    void service.do();
    service.settleOne();
    expect(reads).toBe(readsAtCreation);
  });

  it('checks the monitor option: undefined means none, anything but a FlowMonitor is a TypeError', () => {
    expect(monitorOption(undefined, 'options.monitor')).toBeUndefined();
    expect(() => monitorOption({ snapshot: () => ({}) }, 'options.monitor')).toThrow(
      new TypeError('options.monitor must be a FlowMonitor, got an object.'),
    );
    expect(() => new FakeTrackedService(1, null as unknown as FlowMonitor)).toThrow(/got null/);
  });
});
