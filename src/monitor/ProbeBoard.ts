import type { SchedulerLike, Subscriber } from 'rxjs';
import type { CircuitState } from '../core/CircuitState.js';
import { dropReasons, zeroPerReason } from '../core/DropReason.js';
import type { StageProbe } from '../core/StageProbe.js';
import { type ServiceLoad, serviceLoad, utilizationOf } from '../core/serviceLoad.js';
import { BackpressureError } from '../errors/BackpressureError.js';
import type { FlowSnapshot } from './FlowSnapshot.js';
import { ServiceProbe } from './ServiceProbe.js';

/** The part of a snapshot the probes tell (the monitor adds its name, the time and the throughput). */
export type ProbeReading = Omit<FlowSnapshot, 'name' | 'at' | 'throughput'>;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The probes one {@link FlowMonitor} reads: at most one stage at a time (a `requestCredits` or
 * `withHandshake` subscription), one service and one circuit breaker. Everything is read when a
 * snapshot is taken; nothing is pushed per item.
 *
 * A second stage subscribing while one is attached is refused, rather than mixing two stages' counts
 * into one ledger. A stage that ends leaves its final counts behind, so the next subscription of a
 * stage (`retry`, `repeat`) continues them: the monitor's counts only grow, as counters should.
 */
export class ProbeBoard {
  readonly #name: string;
  readonly #scheduler: SchedulerLike;
  #stage: StageProbe | undefined;
  #service: ServiceProbe | undefined;
  #breaker: { readonly state: CircuitState } | undefined;
  /** What stages that have ended counted. */
  #endedReceived = 0;
  #endedDelivered = 0;
  readonly #endedDropped = zeroPerReason();

  constructor(name: string, scheduler: SchedulerLike) {
    this.#name = name;
    this.#scheduler = scheduler;
  }

  /**
   * Attaches a stage for the lifetime of `subscriber`'s subscription. When the monitor already watches
   * a stage, errors `subscriber` with a `BackpressureError` of code `'ERR_MONITOR_IN_USE'` instead and
   * returns `false`: the stage must then not start.
   */
  watchStage(subscriber: Subscriber<unknown>, probe: StageProbe): boolean {
    if (this.#stage !== undefined) {
      subscriber.error(this.#inUse('stage', 'a requestCredits, withHandshake or pullFrom subscription'));
      return false;
    }
    this.#stage = probe;
    subscriber.add(() => this.#endStage(probe));
    return true;
  }

  /**
   * Attaches a service for good (services have no teardown); throws a `BackpressureError` of code
   * `'ERR_MONITOR_IN_USE'` when the monitor already watches one.
   */
  attachService(service: ServiceLoad): ServiceProbe {
    if (this.#service !== undefined) throw this.#inUse('service', 'a TrackedService or AdaptiveService');
    this.#service = new ServiceProbe(service, this.#scheduler);
    return this.#service;
  }

  /** Attaches a circuit breaker for good; throws `'ERR_MONITOR_IN_USE'` when one is attached. */
  attachBreaker(breaker: { readonly state: CircuitState }): void {
    if (this.#breaker !== undefined) throw this.#inUse('breaker', 'a circuitBreaker');
    this.#breaker = breaker;
  }

  read(): ProbeReading {
    const dropped = { ...this.#endedDropped };
    const reading: Mutable<ProbeReading> = {
      received: this.#endedReceived,
      delivered: this.#endedDelivered,
      buffered: 0,
      dropped,
      outstandingCredit: 0,
    };
    const stage = this.#stage;
    if (stage !== undefined) {
      const { ledger } = stage;
      reading.received += ledger.received;
      reading.delivered += ledger.delivered;
      reading.buffered = ledger.buffered;
      for (const reason of dropReasons) dropped[reason] += ledger.dropped[reason];
      reading.bufferSize = stage.bufferSize;
      if ('source' in stage) {
        reading.sourceOpen = stage.source.open;
        const load = stage.consumer === undefined ? undefined : serviceLoad(stage.consumer);
        if (load !== undefined) reading.inFlight = load.active;
      }
      if ('credit' in stage) {
        reading.outstandingCredit = stage.credit.outstanding;
      } else {
        reading.inFlight = stage.calls.inFlight;
        const load = serviceLoad(stage.service);
        if (load !== undefined) {
          reading.outstandingCredit = Math.max(0, load.capacity - load.active);
          reading.capacity = load.capacity;
          reading.utilization = utilizationOf(load);
        }
      }
    }
    if (this.#service !== undefined) {
      // The service counts every caller's calls, not only this stage's.
      const { capacity, active } = this.#service.service;
      reading.inFlight = active;
      reading.capacity = capacity;
      reading.utilization = utilizationOf({ capacity, active });
      const latency = this.#service.latency();
      if (latency !== undefined) reading.latency = latency;
    }
    if (this.#breaker !== undefined) reading.breaker = this.#breaker.state;
    return reading;
  }

  #endStage(probe: StageProbe): void {
    if (this.#stage !== probe) return;
    this.#stage = undefined;
    // The gate was released before this teardown ran, so nothing is buffered any more.
    const { ledger } = probe;
    this.#endedReceived += ledger.received;
    this.#endedDelivered += ledger.delivered;
    for (const reason of dropReasons) this.#endedDropped[reason] += ledger.dropped[reason];
  }

  #inUse(role: string, what: string): BackpressureError {
    return new BackpressureError(
      'ERR_MONITOR_IN_USE',
      `The FlowMonitor '${this.#name}' already watches a ${role}; it watches one ${role} (${what}) at a time, so counts are never mixed. Give each one its own monitor.`,
    );
  }
}
