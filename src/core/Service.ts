import type { Observable } from 'rxjs';

/**
 * A service that takes part in the handshake: it answers `isReady()` cheaply (a counter or a flag,
 * never I/O) before any work is sent, and `do(req)` runs the work.
 *
 * @example
 * ```ts
 * import type { Service } from 'rxjs-backpressure';
 *
 * let busy = false;
 * const printer: Service<string, void> = {
 *   isReady: () => !busy,
 *   do: async (text) => {
 *     busy = true;
 *     try {
 *       console.log(text);
 *     } finally {
 *       busy = false;
 *     }
 *   },
 * };
 * ```
 */
export interface Service<Req, Res> {
  /** Whether the service can take one more piece of work right now. O(1), no I/O. */
  isReady(): boolean;
  /** Runs the work. `signal` aborts when the caller gave up (for example, it unsubscribed). */
  do(req: Req, signal?: AbortSignal): Promise<Res> | Observable<Res>;
}
