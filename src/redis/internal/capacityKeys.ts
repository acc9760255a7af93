/**
 * The Redis keys of the shared capacity named `key`, in one place because the lease scripts
 * (`capacityScripts.ts`) name the same keys from the prefix they are given. Every key carries the
 * hash tag `{key}`, so a cluster would keep them all in the one slot a script needs.
 */
export interface CapacityKeys {
  /** `{key}`: ARGV[1] of every lease script, from which the scripts derive the waiters' keys too. */
  readonly prefix: string;
  /** KEYS of every lease script: the leases, the token counter, the epoch, the queue of waiters. */
  readonly script: readonly string[];
  /** The marker that keeps `waiter` in the queue while it exists. */
  readonly waiter: (waiter: string) => string;
  /** The list `waiter` blocks on (`BLPOP`), where a slot freed for it is pushed as a lease. */
  readonly wake: (waiter: string) => string;
}

/** The keys of the shared capacity named `key` (a name already checked). */
export function capacityKeys(key: string): CapacityKeys {
  const prefix = `{${key}}`;
  return {
    prefix,
    script: [`${prefix}:leases`, `${prefix}:token`, `${prefix}:epoch`, `${prefix}:waiters`],
    waiter: (waiter) => `${prefix}:waiter:${waiter}`,
    wake: (waiter) => `${prefix}:wake:${waiter}`,
  };
}
