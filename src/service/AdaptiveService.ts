import type { Observable, SchedulerLike } from 'rxjs';
import type { HandshakeProvider } from '../core/HandshakeProvider.js';
import { describeValue, isPositiveCount, knownOptions, optionalFunction } from '../core/validation.js';
import { reportUnhandledError } from '../internal/reportUnhandledError.js';
import { schedulerOption } from '../internal/schedulerOption.js';
import type { FlowMonitor } from '../monitor/FlowMonitor.js';
import { observeCalls } from './internal/CallObserver.js';
import type { ObservedServiceOptions } from './internal/trackedServiceSettings.js';
import type { LimitAlgorithm, LimitSample } from './LimitAlgorithm.js';
import { TrackedService } from './TrackedService.js';

/**
 * Options of {@link AdaptiveService}.
 *
 * @example
 * ```ts
 * import { AdaptiveService, type AdaptiveServiceOptions, aimdLimit } from 'rxjs-backpressure';
 *
 * const options: AdaptiveServiceOptions<string, number> = {
 *   handler: async (url, signal) => (await fetch(url, { signal })).status,
 *   algorithm: aimdLimit({ initial: 8 }), // a fresh algorithm for each service
 *   // A response that does not parse says nothing about the server's load.
 *   isDropped: (error) => !(error instanceof SyntaxError),
 * };
 * const fetcher = new AdaptiveService(options);
 * ```
 */
export interface AdaptiveServiceOptions<Req, Res> {
  /** The work, as for {@link TrackedService}: a Promise, an Observable or a plain value, or a throw. */
  readonly handler: (req: Req, signal: AbortSignal) => Promise<Res> | Observable<Res> | Res;
  /** How the capacity follows latency and failures; one algorithm per service. */
  readonly algorithm: LimitAlgorithm;
  /** The clock that times each call (`now()`, in ms). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  /** Reports calls in flight, the current limit as capacity, utilization and latency to the monitor. */
  readonly monitor?: FlowMonitor | undefined;
  /**
   * Whether a failure of the handler is a sign of overload, a sample with `dropped: true`. A failure
   * it says is not (a bad request, a job that cannot succeed) is no sample at all, like an aborted
   * call: its latency, often that of a fast failure, says nothing about queueing either. Default:
   * every failure is a drop. A throw counts the call as dropped and is reported as unhandled.
   */
  readonly isDropped?: ((error: unknown) => boolean) | undefined;
}

/** Algorithms already driving a service: each holds one limit's state, so sharing one would mix two. */
const claimed = new WeakSet<object>();

function isLimit(value: unknown): value is number {
  return typeof value === 'number' && isPositiveCount(value);
}

/**
 * A {@link HandshakeProvider} whose capacity follows the service's real capacity: it runs the handler
 * like a {@link TrackedService} (which it wraps: admission, slots, cancellation and `credits$` behave
 * exactly the same), times every call with its scheduler's clock, and after each call hands the
 * {@link LimitSample} to the algorithm and sets the capacity to the limit it returns. Growing the limit
 * grants the new room on `credits$` at once; shrinking it admits nothing until enough calls settled.
 *
 * - A call that fails (throws, rejects, errors) is a sample with `dropped: true`; one that succeeds,
 *   `dropped: false`. `inFlight` counts the calls running when it started, itself included.
 * - A call whose caller aborted it is not a sample: its latency says nothing about the service. Nor is
 *   a failure that `isDropped` says is not one of overload: counted as drops, such failures shrink the
 *   limit whatever the load. A service that fails one job in five for reasons of the job holds a
 *   latency-based limit near its minimum, and its calls settle one at a time long after the service
 *   could take more again (measured in the demo, `npm run demo`: the limit fell from 14 to 1-3).
 * - An algorithm that throws, or returns anything but a positive safe integer, leaves the capacity as
 *   it was and the error is reported (RxJS `config.onUnhandledError`, else thrown asynchronously);
 *   the call's own outcome is unaffected.
 * - Latency is measured in the clock's milliseconds; `asyncScheduler` ticks in whole ms, so a call
 *   faster than that reads 0, which the built-in algorithms ignore.
 *
 * Bad options throw at once with a `TypeError` or `RangeError` naming the option and the value; so
 * does an algorithm already used by another `AdaptiveService`.
 *
 * @example
 * ```ts
 * import { AdaptiveService, handshake, vegasLimit } from 'rxjs-backpressure';
 *
 * const search = new AdaptiveService({
 *   // `signal` is this call's own (the caller's, or a fresh one): fetch leaves nothing on a shared one.
 *   handler: async (query: string, signal) =>
 *     (await fetch(`https://example.com/search?q=${query}`, { signal })).status,
 *   algorithm: vegasLimit({ initial: 4, max: 128 }),
 * });
 * search.credits$.subscribe((room) => console.log(`room for ${room} more; limit ${search.capacity}`));
 * await handshake(search, 'rxjs');
 * ```
 */
export class AdaptiveService<Req, Res> implements HandshakeProvider<Req, Res> {
  /** Free room, as {@link TrackedService}'s: a broadcast that several subscribers may share. */
  readonly credits$: Observable<number>;

  readonly #service: TrackedService<Req, Res>;
  readonly #algorithm: LimitAlgorithm;
  readonly #scheduler: SchedulerLike;
  readonly #isDropped: (error: unknown) => boolean;

  constructor(options: AdaptiveServiceOptions<Req, Res>) {
    const checked = knownOptions(
      options,
      ['handler', 'algorithm', 'scheduler', 'monitor', 'isDropped'],
      'options',
    );
    const handler = checked.handler;
    if (typeof handler !== 'function') {
      throw new TypeError(`options.handler must be a function, got ${describeValue(handler)}.`);
    }
    const algorithm = checked.algorithm as Partial<LimitAlgorithm> | undefined | null;
    if (typeof algorithm !== 'object' || algorithm === null || typeof algorithm.update !== 'function') {
      throw new TypeError(
        `options.algorithm must be a LimitAlgorithm (with limit and update), got ${describeValue(algorithm)}.`,
      );
    }
    if (!isLimit(algorithm.limit)) {
      const kind = typeof algorithm.limit === 'number' ? RangeError : TypeError;
      throw new kind(
        `options.algorithm.limit must be a positive safe integer, got ${describeValue(algorithm.limit)}.`,
      );
    }
    if (claimed.has(algorithm)) {
      throw new TypeError(
        'options.algorithm already drives another AdaptiveService; an algorithm holds the state of one limit, so create one per service.',
      );
    }
    this.#scheduler = schedulerOption(checked.scheduler, 'options.scheduler');
    this.#isDropped = optionalFunction(checked.isDropped, 'options.isDropped') ?? (() => true);
    claimed.add(algorithm);
    this.#algorithm = algorithm as LimitAlgorithm;
    const observed: ObservedServiceOptions<Req, Res> = {
      capacity: algorithm.limit,
      monitor: checked.monitor,
      handler,
      [observeCalls]: {
        callStarted: () => this.#scheduler.now(),
        callSettled: (startedAt, inFlight, failure, outcome, signal) =>
          this.#settled(startedAt, inFlight, failure, outcome, signal),
      },
    };
    this.#service = new TrackedService<Req, Res>(observed);
    this.credits$ = this.#service.credits$;
  }

  /** The current limit, as the algorithm last set it. */
  get capacity(): number {
    return this.#service.capacity;
  }

  /** Calls started and not yet settled. */
  get active(): number {
    return this.#service.active;
  }

  /** Whether one more call would be admitted now. O(1), allocates nothing. */
  isReady(): boolean {
    return this.#service.isReady();
  }

  /**
   * Runs the handler when there is room, else rejects at once with a `ServiceAtCapacityError`; see
   * {@link TrackedService.do}.
   */
  do(req: Req, signal?: AbortSignal): Promise<Res> {
    return this.#service.do(req, signal);
  }

  /**
   * A call settled (told by the service, which alone knows when): it is a sample, unless its caller
   * aborted it or `isDropped` says its failure is not one of overload.
   */
  #settled(
    startedAt: number,
    inFlight: number,
    failure: boolean,
    outcome: unknown,
    signal: AbortSignal,
  ): void {
    if (signal.aborted || (failure && !this.#overloaded(outcome))) return;
    this.#learn({ latency: Math.max(0, this.#scheduler.now() - startedAt), inFlight, dropped: failure });
  }

  #overloaded(error: unknown): boolean {
    try {
      return this.#isDropped(error);
    } catch (thrown) {
      reportUnhandledError(thrown);
      return true;
    }
  }

  #learn(sample: LimitSample): void {
    let limit: unknown;
    try {
      limit = this.#algorithm.update(sample);
    } catch (error) {
      reportUnhandledError(error);
      return;
    }
    if (!isLimit(limit)) {
      reportUnhandledError(
        new RangeError(
          `options.algorithm.update(sample) must return a positive safe integer, got ${describeValue(limit)}.`,
        ),
      );
      return;
    }
    this.#service.setCapacity(limit);
  }
}
