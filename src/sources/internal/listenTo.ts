/** What `listenTo` uses of a Node.js stream (or any event emitter). */
export interface ListenerTarget {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Adds each listener of `listeners` (by event name) to `target`, and returns what removes exactly
 * those again, so what a bridge attaches and what it detaches cannot drift apart.
 */
export function listenTo(
  target: ListenerTarget,
  listeners: Readonly<Record<string, (...args: unknown[]) => void>>,
): () => void {
  const entries = Object.entries(listeners);
  for (const [event, listener] of entries) target.on(event, listener);
  return () => {
    for (const [event, listener] of entries) target.removeListener(event, listener);
  };
}
