/**
 * A lease of one slot of a `DistributedCapacity` that this process holds: running a call
 * (`controller` set) or idle, ready for the next call. Shared by the queue that obtains leases and the
 * book that renews them.
 */
export interface Lease {
  /** The fencing token, larger than any handed out before. */
  readonly token: number;
  /** When it is first possible that the server let it expire (`Date.now()`), unless renewed before. */
  deadline: number;
  readonly acquiredAt: number;
  controller: AbortController | undefined;
  /** Found expired or gone: its slot may be someone else's now, so it is never released or reused. */
  lost: boolean;
}
