import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

/** Virtual time moved by hand: `advance(ms)` runs every timer due meanwhile and leaves the clock at the end. */
export interface VirtualClock {
  readonly scheduler: VirtualTimeScheduler;
  advance(ms: number): void;
}

export function virtualClock(): VirtualClock {
  const scheduler = new VirtualTimeScheduler(VirtualAction, 0);
  return {
    scheduler,
    advance(ms) {
      const end = scheduler.now() + ms;
      // A no-op due at the end moves the clock there even when no timer of the code under test is.
      scheduler.schedule(() => undefined, ms);
      scheduler.maxFrames = end;
      scheduler.flush();
    },
  };
}
