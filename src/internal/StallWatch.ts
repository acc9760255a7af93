import type { Unsubscribable } from 'rxjs';

/** Tells, once nothing is left to run, whether a stage waits for what can never come, and how. */
export type StallCheck = () => string | undefined;

/** The environment variable that turns the warning off: `RXJS_BACKPRESSURE_STALL_WARNING=off` (or `0`, `false`). */
export const stallWarningVariable = 'RXJS_BACKPRESSURE_STALL_WARNING';

interface NodeProcess {
  on(event: 'beforeExit', listener: () => void): unknown;
  readonly env: Record<string, string | undefined>;
  readonly stderr: { write(text: string): unknown };
}

/** Node's process, reached through globalThis so the main entry imports no `node:` module. */
function nodeProcess(): NodeProcess | undefined {
  const candidate = (globalThis as { process?: Partial<NodeProcess> }).process;
  return typeof candidate?.on === 'function' && typeof candidate.stderr?.write === 'function'
    ? (candidate as NodeProcess)
    : undefined;
}

// Held strongly until the subscription's teardown: a stalled pipeline that nothing references any more
// (its credit controller dropped with it) is exactly the one to report, and a weak hold would let a GC
// before the loop empties hide it. The price: a subscription never ended stays alive until exit.
const watched = new Set<StallWatch>();
let listening = false;

function reportStalls(this: void): void {
  const process = nodeProcess();
  if (process === undefined) return;
  const setting = process.env[stallWarningVariable]?.toLowerCase();
  if (setting === 'off' || setting === '0' || setting === 'false') return;
  for (const watch of watched) {
    const message = watch.check();
    if (message === undefined) continue;
    // Once per stage: work started by another beforeExit listener may empty the loop again.
    watched.delete(watch);
    process.stderr.write(
      `rxjs-backpressure: ${message} (the event loop is empty, so nothing can change that; set ${stallWarningVariable}=off to silence this)\n`,
    );
  }
}

/**
 * One stage's watch for the moment Node's event loop empties (`beforeExit`) while the stage still
 * waits: then nothing can ever grant it credit or end it, and it says so on stderr in one line,
 * rather than letting the process exit in silence. Registered once per subscription, never per item;
 * add it to the subscription so its teardown ends the watch. Outside Node it watches nothing.
 */
export class StallWatch implements Unsubscribable {
  readonly #check: StallCheck;

  constructor(check: StallCheck) {
    this.#check = check;
    const process = nodeProcess();
    if (process === undefined) return;
    if (!listening) {
      listening = true;
      process.on('beforeExit', reportStalls);
    }
    watched.add(this);
  }

  /** What the stage waits for in vain, or `undefined` when it does not. */
  check(): string | undefined {
    return this.#check();
  }

  unsubscribe(): void {
    watched.delete(this);
  }
}
