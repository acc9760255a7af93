import type { BufferOptions } from './BufferOptions.js';

/**
 * Options of {@link withHandshake}: the shared {@link BufferOptions} (what to do with items while the
 * service is not ready) plus the order of results.
 *
 * @example
 * ```ts
 * import type { WithHandshakeOptions } from 'rxjs-backpressure';
 *
 * const options: WithHandshakeOptions<string> = { bufferSize: 64, overflow: 'drop-oldest', ordered: true };
 * ```
 */
export interface WithHandshakeOptions<T> extends BufferOptions<T> {
  /**
   * `true`: results come out in the order their items came in (a result waits for those before it).
   * Default `false`: in the order the calls finish, like `mergeMap`.
   */
  readonly ordered?: boolean;
}
