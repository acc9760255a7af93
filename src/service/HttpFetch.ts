/**
 * A `fetch`-shaped function: sends the request for `req` with `signal` and resolves with the
 * `Response`, whatever its status.
 *
 * @example
 * ```ts
 * import type { HttpFetch } from 'rxjs-backpressure';
 *
 * const createOrder: HttpFetch<{ sku: string }> = (order, signal) =>
 *   fetch('https://example.com/orders', { method: 'POST', body: JSON.stringify(order), signal });
 * ```
 */
export type HttpFetch<Req> = (req: Req, signal: AbortSignal) => Promise<Response>;
