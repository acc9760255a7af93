/**
 * When a {@link FlowMonitor} raises a {@link FlowAlert}. The rules are checked at each tick of the
 * monitor (every `interval` ms while `metrics$` or `alerts$` has a subscriber); an alert is raised
 * once, and cleared once at the first tick its rule no longer holds.
 *
 * @example
 * ```ts
 * import type { AlertRules } from 'rxjs-backpressure';
 *
 * const rules: AlertRules = {
 *   utilizationAbove: { ratio: 0.9, for: 5000 }, // the service above 90% for 5 s
 *   bufferAbove: { ratio: 0.8, for: 2000 }, // the buffer above 80% full for 2 s
 *   drops: true,
 *   breakerOpen: true,
 *   stalled: { for: 1000 }, // items waiting, no credit and nothing in flight for 1 s
 * };
 * ```
 */
export interface AlertRules {
  /**
   * Raised when the service's utilization stayed above `ratio` (finite, `>= 0`) at every tick for
   * `for` ms (finite, `>= 0`; 0 raises at the first tick it is seen).
   */
  readonly utilizationAbove?: { readonly ratio: number; readonly for: number };
  /** Raised when `buffered / bufferSize` stayed above `ratio` (`>= 0` and `< 1`) for `for` ms. */
  readonly bufferAbove?: { readonly ratio: number; readonly for: number };
  /** Raised at a tick that saw any drop since the tick before; cleared by a tick that saw none. */
  readonly drops?: boolean;
  /** Raised while the circuit breaker is open (as seen at the ticks). */
  readonly breakerOpen?: boolean;
  /**
   * Raised when the stage stayed stalled at every tick for `for` ms (finite, `>= 0`): it had items
   * waiting in its buffer (or, for `pullFrom`, a source not yet ended), no outstanding credit (for
   * `withHandshake`: no room in the service) and nothing in flight. Nobody is working and nothing
   * moves: typically a step between the source and the code that grants dropped or merged items, so
   * their credit never came back. Pick `for` above the longest time one item's work takes.
   */
  readonly stalled?: { readonly for: number };
}
