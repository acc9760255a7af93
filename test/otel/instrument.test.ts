import type { Meter } from '@opentelemetry/api';
import {
  type DataPoint,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { concat, NEVER, range, Subject, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { CreditController, FlowMonitor, requestCredits } from 'rxjs-backpressure';
import { afterEach, describe, expect, it } from 'vitest';
import { monitorOption } from '../../src/monitor/monitorOption.js';
import { instrument } from '../../src/otel/index.js';

/** A reader that collects only when the test asks, so nothing depends on timing. */
class ManualReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface Point {
  readonly value: number;
  readonly attributes: Record<string, unknown>;
}

/** Collects once and returns each metric's unit and data points by name. */
async function collect(reader: MetricReader): Promise<Map<string, { unit: string; points: Point[] }>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const byName = new Map<string, { unit: string; points: Point[] }>();
  for (const scope of (resourceMetrics as ResourceMetrics).scopeMetrics) {
    for (const metric of scope.metrics) {
      byName.set(metric.descriptor.name, {
        unit: metric.descriptor.unit,
        points: (metric.dataPoints as DataPoint<number>[]).map((point) => ({
          value: point.value,
          attributes: { ...point.attributes },
        })),
      });
    }
  }
  return byName;
}

function setup(): { meter: Meter; reader: ManualReader; provider: MeterProvider } {
  const reader = new ManualReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { meter: provider.getMeter('test'), reader, provider };
}

const providers: MeterProvider[] = [];
afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.shutdown();
});

describe('instrument', () => {
  it("reports the monitor's counts as counters, in {item}, with the monitor name and the drop reason", async () => {
    const { meter, reader, provider } = setup();
    providers.push(provider);
    const monitor = new FlowMonitor({ name: 'orders' });
    instrument(monitor, meter);
    const credits = new CreditController({ initial: 10 });
    concat(range(0, 100), NEVER)
      .pipe(requestCredits(credits, { bufferSize: 50, overflow: 'drop-oldest', monitor }))
      .subscribe();

    const metrics = await collect(reader);
    expect(metrics.get('backpressure.items.received')).toEqual({
      unit: '{item}',
      points: [{ value: 100, attributes: { monitor: 'orders' } }],
    });
    expect(metrics.get('backpressure.items.delivered')?.points).toEqual([
      { value: 10, attributes: { monitor: 'orders' } },
    ]);
    const dropped = metrics.get('backpressure.items.dropped');
    expect(dropped?.unit).toBe('{item}');
    expect(dropped?.points).toContainEqual({
      value: 40,
      attributes: { monitor: 'orders', reason: 'overflow' },
    });
    expect(dropped?.points).toContainEqual({
      value: 0,
      attributes: { monitor: 'orders', reason: 'expired' },
    });
    expect(dropped?.points).toHaveLength(6);
    expect(metrics.get('backpressure.buffer.size')?.points).toEqual([
      { value: 50, attributes: { monitor: 'orders' } },
    ]);
    expect(metrics.get('backpressure.buffer.limit')?.points[0]?.value).toBe(50);
    expect(metrics.get('backpressure.credit.outstanding')).toEqual({
      unit: '{credit}',
      points: [{ value: 0, attributes: { monitor: 'orders' } }],
    });

    credits.grant(30);
    const later = await collect(reader);
    expect(later.get('backpressure.items.delivered')?.points[0]?.value).toBe(40);
    expect(later.get('backpressure.buffer.size')?.points[0]?.value).toBe(20);
  });

  it('reports calls in flight, capacity, utilization, latency p50/p99 in ms and the breaker state', async () => {
    const { meter, reader, provider } = setup();
    providers.push(provider);
    const scheduler = new VirtualTimeScheduler(VirtualAction, 100);
    const monitor = new FlowMonitor({ name: 'svc', scheduler });
    const board = monitorOption(monitor, 'monitor');
    const service = { capacity: 8, active: 6 };
    const probe = board?.attachService(service);
    const startedAt = probe?.callStarted() ?? 0;
    scheduler.schedule(() => probe?.callSettled(startedAt), 12);
    scheduler.flush();
    board?.attachBreaker({ state: 'half-open' });
    instrument(monitor, meter);

    const metrics = await collect(reader);
    expect(metrics.get('backpressure.inflight')).toEqual({
      unit: '{call}',
      points: [{ value: 6, attributes: { monitor: 'svc' } }],
    });
    expect(metrics.get('backpressure.capacity')?.points[0]?.value).toBe(8);
    expect(metrics.get('backpressure.utilization')?.points[0]?.value).toBe(0.75);
    expect(metrics.get('backpressure.latency')).toEqual({
      unit: 'ms',
      points: [
        { value: 12, attributes: { monitor: 'svc', quantile: 'p50' } },
        { value: 12, attributes: { monitor: 'svc', quantile: 'p99' } },
      ],
    });
    expect(metrics.get('backpressure.breaker.state')?.points).toEqual([
      { value: 0, attributes: { monitor: 'svc', state: 'closed' } },
      { value: 0, attributes: { monitor: 'svc', state: 'open' } },
      { value: 1, attributes: { monitor: 'svc', state: 'half-open' } },
    ]);
  });

  it('leaves out what the monitor does not see: no service, no breaker, unbounded credit', async () => {
    const { meter, reader, provider } = setup();
    providers.push(provider);
    const monitor = new FlowMonitor({ name: 'bare' });
    instrument(monitor, meter);
    new Subject<number>()
      .pipe(requestCredits(new CreditController({ initial: Infinity }), { monitor }))
      .subscribe();
    const metrics = await collect(reader);
    for (const name of [
      'backpressure.credit.outstanding',
      'backpressure.inflight',
      'backpressure.capacity',
      'backpressure.utilization',
      'backpressure.latency',
      'backpressure.breaker.state',
    ]) {
      expect(metrics.get(name)?.points ?? []).toEqual([]);
    }
    expect(metrics.get('backpressure.items.received')?.points).toHaveLength(1);
  });

  it('keeps two monitors on one meter apart by their name', async () => {
    const { meter, reader, provider } = setup();
    providers.push(provider);
    const a = new FlowMonitor({ name: 'a' });
    const b = new FlowMonitor({ name: 'b' });
    instrument(a, meter);
    instrument(b, meter);
    range(0, 3)
      .pipe(requestCredits(new CreditController({ initial: 3 }), { monitor: a }))
      .subscribe();
    range(0, 5)
      .pipe(requestCredits(new CreditController({ initial: 5 }), { monitor: b }))
      .subscribe();
    const metrics = await collect(reader);
    expect(metrics.get('backpressure.items.delivered')?.points).toEqual([
      { value: 3, attributes: { monitor: 'a' } },
      { value: 5, attributes: { monitor: 'b' } },
    ]);
  });

  it('stops reporting after unregister, and unregistering twice does no harm', async () => {
    const { meter, reader, provider } = setup();
    providers.push(provider);
    const monitor = new FlowMonitor({ name: 'gone' });
    let snapshots = 0;
    const snapshot = monitor.snapshot.bind(monitor);
    monitor.snapshot = () => {
      snapshots++;
      return snapshot();
    };
    const instrumentation = instrument(monitor, meter);
    await collect(reader);
    expect(snapshots).toBe(1);
    instrumentation.unregister();
    instrumentation.unregister();
    await collect(reader);
    expect(snapshots).toBe(1);
  });

  it('refuses a monitor or a meter of the wrong shape with a TypeError naming it', () => {
    const { meter } = setup();
    expect(() => instrument({} as FlowMonitor, meter)).toThrow(
      new TypeError('instrument(monitor, meter): monitor must be a FlowMonitor, got an object.'),
    );
    expect(() => instrument(new FlowMonitor({ name: 'x' }), undefined as unknown as Meter)).toThrow(
      /instrument\(monitor, meter\): meter must be an OpenTelemetry Meter .*got undefined/,
    );
  });
});
