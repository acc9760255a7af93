import type { SchedulerLike } from 'rxjs';
import type { ServiceLoad } from '../core/serviceLoad.js';
import { LatencyReservoir } from './LatencyReservoir.js';

/**
 * A service's hand on its monitor: the monitor reads the service's `capacity` and `active` when it
 * takes a snapshot, and the service times each call through the monitor's clock. A service holds one
 * only when it was given a monitor, so an unmonitored service pays a null check per call.
 */
export class ServiceProbe {
  readonly service: ServiceLoad;
  readonly #scheduler: SchedulerLike;
  readonly #latencies = new LatencyReservoir();

  constructor(service: ServiceLoad, scheduler: SchedulerLike) {
    this.service = service;
    this.#scheduler = scheduler;
  }

  /** A call starts: returns the time to hand back to {@link callSettled}. */
  callStarted(): number {
    return this.#scheduler.now();
  }

  /** The call that started at `startedAt` settled (whatever its outcome): records its duration. */
  callSettled(startedAt: number): void {
    this.#latencies.record(Math.max(0, this.#scheduler.now() - startedAt));
  }

  /** Latency percentiles of the recent calls, in ms. */
  latency(): { p50: number; p99: number } | undefined {
    return this.#latencies.percentiles();
  }
}
