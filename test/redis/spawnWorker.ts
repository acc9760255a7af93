import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileAsShipped } from '../../benchmarks/compileAsShipped.js';
import type { WorkerSettings } from './fixtures/worker.js';

let bundled: Promise<string> | undefined;

/** The worker bundled once per test process, as the package ships: it starts in a blink, unlike tsx. */
function bundle(): Promise<string> {
  bundled ??= compileAsShipped(fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url)));
  return bundled;
}

/** Removes the bundled worker (in afterAll). */
export async function removeWorkerBundle(): Promise<void> {
  const file = await bundled;
  bundled = undefined;
  if (file !== undefined) rmSync(file, { force: true });
}

/** A worker process and the lines it printed so far. */
export interface Worker {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line starting with `prefix` (already printed or to come). */
  line(prefix: string, timeout?: number): Promise<string>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

const started = new Set<ChildProcess>();

/** Starts fixtures/worker.ts with `settings`. */
export async function spawnWorker(settings: WorkerSettings): Promise<Worker> {
  const child = spawn(process.execPath, [await bundle(), JSON.stringify(settings)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.add(child);
  const lines: string[] = [];
  const waiting: { prefix: string; resolve: (line: string) => void }[] = [];
  let buffered = '';
  child.stdout?.on('data', (data: Buffer) => {
    buffered += data.toString('utf8');
    let end = buffered.indexOf('\n');
    while (end >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      lines.push(line);
      for (const waiter of waiting.filter((candidate) => line.startsWith(candidate.prefix))) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(line);
      }
      end = buffered.indexOf('\n');
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => started.delete(child));
  return {
    child,
    lines,
    exited,
    line: (prefix, timeout = 10_000) => {
      const found = lines.find((line) => line.startsWith(prefix));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line '${prefix}' within ${timeout} ms`)),
          timeout,
        );
        waiting.push({
          prefix,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}

/** Kills every worker still running (in afterEach, so a failed test leaves none behind). */
export async function killWorkers(): Promise<void> {
  const exits = [...started].map((child) => {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    return new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
  });
  await Promise.all(exits);
}
