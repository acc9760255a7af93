/** A service's load, as services that count their work tell it (`TrackedService`, `AdaptiveService`). */
export interface ServiceLoad {
  /** How many calls may run at once. */
  readonly capacity: number;
  /** Calls running now. */
  readonly active: number;
}

/** The load `service` tells through numeric `capacity` and `active`, or `undefined` when it tells none. */
export function serviceLoad(service: object): ServiceLoad | undefined {
  const { capacity, active } = service as { capacity?: unknown; active?: unknown };
  return typeof capacity === 'number' && typeof active === 'number' ? { capacity, active } : undefined;
}

/** How full a service is: `active / capacity`; 1 for a closed service (capacity 0), which has no room. */
export function utilizationOf(load: ServiceLoad): number {
  return load.capacity > 0 ? load.active / load.capacity : 1;
}
