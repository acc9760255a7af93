/**
 * The one thing that differs between the gate's users: when an item may pass. `requestCredits`
 * counts credits; `withHandshake` asks the service `isReady()`.
 */
export interface Admission<T> {
  /** Whether `item` may be delivered now. May throw (a bad `cost`); the gate then fails with the error. */
  admits(item: T): boolean;
  /** Spends what `admits` just allowed, right before `item` is delivered. */
  admit(item: T): void;
}
