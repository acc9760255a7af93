import type { CreditProvider } from './CreditProvider.js';
import type { Service } from './Service.js';

/**
 * A {@link Service} that also advertises, as credits, when it has room again: `credits$` grants one
 * credit per freed slot, so callers waiting on it wake up the moment capacity frees, without polling.
 *
 * @example
 * ```ts
 * import { TrackedService, type HandshakeProvider } from 'rxjs-backpressure';
 *
 * const provider: HandshakeProvider<number, number> = new TrackedService({
 *   capacity: 4,
 *   handler: async (n: number) => n * 2,
 * });
 * ```
 */
export interface HandshakeProvider<Req, Res> extends Service<Req, Res>, CreditProvider {}
