/** Idle controllers kept for later calls; more than this are left to the garbage collector. */
const idleLimit = 64;

/**
 * AbortControllers for calls, each call's signal its own while the call runs, reused by a later call
 * when nobody ever listened to it. Node builds an AbortSignal slowly (several microseconds), which
 * would dominate a call to a fast service; a signal that no listener, `onabort` or fetch ever touched
 * and that was never aborted carries nothing from its call, so handing it to the next call is safe.
 * One that was listened to is never reused, whatever the listener did later: no listener left behind
 * can ever pile up on a reused signal.
 */
export class SignalPool {
  readonly #idle: AbortController[] = [];
  /** Signals something listened to: retired after their call. */
  readonly #listened = new WeakSet<AbortSignal>();

  /** A controller for a new call: an idle one, or a fresh one. */
  take(): AbortController {
    return this.#idle.pop() ?? this.#create();
  }

  /**
   * The call is over and its controller was never aborted (the caller makes sure): keep it when
   * nothing ever listened (setting `onabort` adds a listener too).
   */
  give(controller: AbortController): void {
    if (this.#idle.length < idleLimit && !this.#listened.has(controller.signal)) this.#idle.push(controller);
  }

  #create(): AbortController {
    const controller = new AbortController();
    const signal = controller.signal;
    const listened = this.#listened;
    const addEventListener = signal.addEventListener;
    // Shadows the prototype's method on this one signal, so every listener (fetch's, onabort's, a
    // timer's) marks it.
    Object.defineProperty(signal, 'addEventListener', {
      configurable: true,
      writable: true,
      value(this: AbortSignal, ...args: Parameters<AbortSignal['addEventListener']>): void {
        listened.add(signal);
        addEventListener.apply(this, args);
      },
    });
    return controller;
  }
}

/** The controllers of the calls `withHandshake` and `TrackedService` make. */
export const callSignals = new SignalPool();
