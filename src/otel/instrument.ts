import type {
  Attributes,
  BatchObservableResult,
  Meter,
  Observable as MetricObservable,
} from '@opentelemetry/api';
import type { FlowMonitor } from 'rxjs-backpressure';
import { dropReasons } from '../core/DropReason.js';
import { type MemberTypes, objectWithMembers } from '../core/validation.js';

/**
 * What {@link instrument} returns: the hand that stops the reporting.
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api';
 * import { FlowMonitor } from 'rxjs-backpressure';
 * import { type Instrumentation, instrument } from 'rxjs-backpressure/otel';
 *
 * const monitor = new FlowMonitor({ name: 'orders' });
 * const instrumentation: Instrumentation = instrument(monitor, metrics.getMeter('orders-service'));
 * process.once('SIGTERM', () => instrumentation.unregister());
 * ```
 */
export interface Instrumentation {
  /** Stops reporting this monitor's metrics. Calling it again does nothing. */
  unregister(): void;
}

const circuitStates = ['closed', 'open', 'half-open'] as const;

// Checked by shape, so a monitor or a meter from another installed copy of its package passes too.
const monitorMembers: MemberTypes<FlowMonitor> = { name: 'string', snapshot: 'function' };

const meterMembers: MemberTypes<Meter> = {
  createObservableCounter: 'function',
  createObservableGauge: 'function',
  addBatchObservableCallback: 'function',
  removeBatchObservableCallback: 'function',
};

/**
 * Reports a {@link FlowMonitor} to OpenTelemetry: registers observable instruments on `meter` that
 * read one `monitor.snapshot()` per collection, so nothing is recorded between collections. Every
 * measurement carries the attribute `monitor` (the monitor's name), so several monitors can share a
 * meter.
 *
 * | Instrument | Kind | Unit | Attributes |
 * | --- | --- | --- | --- |
 * | `backpressure.items.received` | counter | `{item}` | |
 * | `backpressure.items.delivered` | counter | `{item}` | |
 * | `backpressure.items.dropped` | counter | `{item}` | `reason` (a `DropReason`) |
 * | `backpressure.buffer.size` | gauge | `{item}` | |
 * | `backpressure.buffer.limit` | gauge | `{item}` | |
 * | `backpressure.credit.outstanding` | gauge | `{credit}` | (not reported while unbounded) |
 * | `backpressure.throughput` | gauge | `{item}/s` | |
 * | `backpressure.inflight` | gauge | `{call}` | |
 * | `backpressure.capacity` | gauge | `{call}` | |
 * | `backpressure.utilization` | gauge | `1` | |
 * | `backpressure.latency` | gauge | `ms` | `quantile`: `'p50'` or `'p99'` |
 * | `backpressure.breaker.state` | gauge | `1` | `state`: 1 for the current state, 0 for the others |
 *
 * Gauges of what the monitor does not see (no service, no breaker) are not reported. `unregister()`
 * stops the reporting (OpenTelemetry cannot remove the instruments themselves). A bad `monitor` or
 * `meter` throws a `TypeError` at once.
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api';
 * import { FlowMonitor } from 'rxjs-backpressure';
 * import { instrument } from 'rxjs-backpressure/otel';
 *
 * const monitor = new FlowMonitor({ name: 'orders' });
 * const instrumentation = instrument(monitor, metrics.getMeter('orders-service'));
 * // ... pass `monitor` to requestCredits / withHandshake; later, on shutdown:
 * instrumentation.unregister();
 * ```
 */
export function instrument(monitor: FlowMonitor, meter: Meter): Instrumentation {
  const watched = objectWithMembers(
    monitor,
    monitorMembers,
    'instrument(monitor, meter): monitor',
    'a FlowMonitor',
  );
  const checkedMeter = objectWithMembers(
    meter,
    meterMembers,
    'instrument(monitor, meter): meter',
    'an OpenTelemetry Meter (@opentelemetry/api 1.3 or later)',
  );
  const counter = (name: string, description: string): MetricObservable =>
    checkedMeter.createObservableCounter(name, { description, unit: '{item}' });
  const gauge = (name: string, description: string, unit: string): MetricObservable =>
    checkedMeter.createObservableGauge(name, { description, unit });

  const received = counter('backpressure.items.received', 'Items the stage received from its source.');
  const delivered = counter('backpressure.items.delivered', 'Items the stage let through.');
  const dropped = counter('backpressure.items.dropped', 'Items that will never be delivered, by reason.');
  const buffered = gauge('backpressure.buffer.size', 'Items waiting in the buffer.', '{item}');
  const bufferLimit = gauge('backpressure.buffer.limit', 'The most items the buffer holds.', '{item}');
  const credit = gauge('backpressure.credit.outstanding', 'Credit granted and not yet spent.', '{credit}');
  const throughput = gauge('backpressure.throughput', 'Items delivered per second.', '{item}/s');
  const inFlight = gauge('backpressure.inflight', 'Calls to the service running now.', '{call}');
  const capacity = gauge('backpressure.capacity', 'Calls the service takes at once.', '{call}');
  const utilization = gauge('backpressure.utilization', 'Calls in flight over capacity.', '1');
  const latency = gauge('backpressure.latency', 'Latency percentiles of recent service calls.', 'ms');
  const breaker = gauge('backpressure.breaker.state', 'The circuit breaker state (1: current).', '1');
  const observables = [
    received,
    delivered,
    dropped,
    buffered,
    bufferLimit,
    credit,
    throughput,
    inFlight,
    capacity,
    utilization,
    latency,
    breaker,
  ];

  const attributes: Attributes = { monitor: watched.name };
  const report = (result: BatchObservableResult): void => {
    const snapshot = watched.snapshot();
    result.observe(received, snapshot.received, attributes);
    result.observe(delivered, snapshot.delivered, attributes);
    for (const reason of dropReasons) {
      result.observe(dropped, snapshot.dropped[reason], { ...attributes, reason });
    }
    result.observe(buffered, snapshot.buffered, attributes);
    if (snapshot.bufferSize !== undefined) result.observe(bufferLimit, snapshot.bufferSize, attributes);
    if (Number.isFinite(snapshot.outstandingCredit)) {
      result.observe(credit, snapshot.outstandingCredit, attributes);
    }
    result.observe(throughput, snapshot.throughput, attributes);
    if (snapshot.inFlight !== undefined) result.observe(inFlight, snapshot.inFlight, attributes);
    if (snapshot.capacity !== undefined) result.observe(capacity, snapshot.capacity, attributes);
    if (snapshot.utilization !== undefined) result.observe(utilization, snapshot.utilization, attributes);
    if (snapshot.latency !== undefined) {
      result.observe(latency, snapshot.latency.p50, { ...attributes, quantile: 'p50' });
      result.observe(latency, snapshot.latency.p99, { ...attributes, quantile: 'p99' });
    }
    if (snapshot.breaker !== undefined) {
      for (const state of circuitStates) {
        result.observe(breaker, state === snapshot.breaker ? 1 : 0, { ...attributes, state });
      }
    }
  };
  checkedMeter.addBatchObservableCallback(report, observables);

  let registered = true;
  return {
    unregister: () => {
      if (!registered) return;
      registered = false;
      checkedMeter.removeBatchObservableCallback(report, observables);
    },
  };
}
