import type { AlertRules } from './AlertRules.js';

/**
 * An alert of a {@link FlowMonitor}: `'raised'` when a rule of its {@link AlertRules} starts to hold,
 * `'cleared'` when it no longer does.
 *
 * @example
 * ```ts
 * import { FlowMonitor, type FlowAlert } from 'rxjs-backpressure';
 *
 * const monitor = new FlowMonitor({ name: 'orders', alerts: { drops: true } });
 * monitor.alerts$.subscribe((alert: FlowAlert) => {
 *   if (alert.status === 'raised') console.warn(alert.message); // 'orders: 3 items dropped in ...'
 * });
 * ```
 */
export interface FlowAlert {
  /** The monitor's name. */
  readonly name: string;
  /** The rule that raised or cleared. */
  readonly rule: keyof AlertRules;
  readonly status: 'raised' | 'cleared';
  /** When the tick saw it, by the monitor's scheduler (ms). */
  readonly at: number;
  /** A sentence for people, with the figures that decided. */
  readonly message: string;
}
