/**
 * Calls waiting on `'abort'` of the signals they were given, with one listener per signal however many
 * calls share it: a caller that passes one signal to hundreds of concurrent calls would otherwise trip
 * Node's "possible EventTarget memory leak" warning after ten. Every listener is removed as soon as no
 * call waits on its signal.
 */
export class AbortListeners {
  readonly #waiting = new Map<
    AbortSignal,
    { readonly calls: Set<() => void>; readonly listener: () => void }
  >();

  /** Runs `onAbort` once when `signal` aborts, unless {@link delete}d first. */
  add(signal: AbortSignal, onAbort: () => void): void {
    const entry = this.#waiting.get(signal);
    if (entry !== undefined) {
      entry.calls.add(onAbort);
      return;
    }
    const calls = new Set([onAbort]);
    const listener = (): void => {
      // One by one, so a call that settles because another one aborted is deleted before its turn.
      for (const call of calls) {
        calls.delete(call);
        call();
      }
      this.#waiting.delete(signal);
    };
    this.#waiting.set(signal, { calls, listener });
    signal.addEventListener('abort', listener, { once: true });
  }

  /** Stops waiting for `signal` on behalf of `onAbort`; no-op when it already ran or was never added. */
  delete(signal: AbortSignal, onAbort: () => void): void {
    const entry = this.#waiting.get(signal);
    if (entry === undefined || !entry.calls.delete(onAbort) || entry.calls.size > 0) return;
    this.#waiting.delete(signal);
    signal.removeEventListener('abort', entry.listener);
  }
}
