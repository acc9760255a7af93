/**
 * Whether the internal invariants are checked: everywhere except under `NODE_ENV=production`. Read
 * once, through globalThis so the main entry imports no `node:` module; the checks run at phase
 * transitions, never per item, so production pays nothing for them.
 */
export const developmentChecks =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NODE_ENV !==
  'production';

/** A broken internal invariant: a bug in this package, never a user's mistake. */
export function invariant(holds: boolean, message: () => string): void {
  if (!holds) throw new Error(`rxjs-backpressure internal invariant broken: ${message()}`);
}
