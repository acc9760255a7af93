import type { Observable } from 'rxjs';

/**
 * Demand told as readiness rather than counted: {@link pullFrom} asks `isReady()` before each read and
 * reads nothing while it answers `false`; each value of `credits$` only wakes it to ask again. Every
 * {@link HandshakeProvider} is one (a `TrackedService`, a `circuitBreaker`), and so is the stage
 * {@link mergeMapWithCredits} returns, which is how a pull source and the work it feeds close one loop
 * whatever happens between them.
 *
 * @example
 * ```ts
 * import { Subject } from 'rxjs';
 * import { pullFrom, type ReadinessProvider } from 'rxjs-backpressure';
 *
 * let room = 2;
 * const wakeUps = new Subject<number>();
 * const consumer: ReadinessProvider = { isReady: () => room > 0, credits$: wakeUps };
 * pullFrom(['a', 'b', 'c'], consumer).subscribe((letter) => {
 *   room--; // 'a' and 'b' are read; 'c' waits until room frees and wakeUps.next(1) asks again
 * });
 * ```
 */
export interface ReadinessProvider {
  /** Whether one more item may be sent now. Cheap, no I/O: it is asked before every read. */
  isReady(): boolean;
  /** Wake-ups: each value means "room may have freed, ask `isReady()` again". */
  readonly credits$: Observable<number>;
}
