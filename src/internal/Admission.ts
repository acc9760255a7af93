/**
 * The one thing that differs between the gate's users: when an item may pass, and what it is told
 * when it may not. `requestCredits` counts credits; `withHandshake` asks the service `isReady()`.
 */
export interface Admission<T> {
  /** Whether `item` may be delivered now. May throw (a bad `cost`); the gate then fails with the error. */
  admits(item: T): boolean;
  /** Spends what `admits` just allowed, right before `item` is delivered. */
  admit(item: T): void;
  /**
   * The error the `'error'` strategy fails with when `item` cannot pass: `CreditsExhaustedError` for
   * credits, `ServiceAtCapacityError` for a handshake. Built only then, never per item.
   */
  refusal(item: T): unknown;
}
