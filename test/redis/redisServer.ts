import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Starts and stops a real redis-server for the Redis tests and benchmarks (no test framework here).

/** Where `redis-server` is on this machine, or `undefined` when it is not installed. */
export const redisServerPath: string | undefined = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();

/** A `redis-server` started for one test: 127.0.0.1, a free port, its own temporary directory. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** The server process's id, changed by {@link RedisServer.restart}. */
  readonly pid: number;
  /** Sends `signal` to the server process (`SIGSTOP`, `SIGCONT`, ...). */
  signal(signal: NodeJS.Signals): void;
  /** Stops the server (SIGTERM, so it writes its append-only file) and starts it again on the same port and directory. */
  restart(options?: { readonly kill?: boolean }): Promise<void>;
  /** Stops the server by its PID and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Turns the append-only file on (`appendfsync always`), so a restart keeps every write. */
  readonly appendonly?: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(),
      );
    });
  });
}

/** Whether the server on `port` answers PING with PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += data.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const running = new Set<ChildProcess>();
// A test run that is cut short still leaves no server behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function launch(port: number, dir: string, options: RedisServerOptions): Promise<ChildProcess> {
  if (redisServerPath === undefined) throw new Error('redis-server is not installed.');
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
  ];
  args.push('--appendonly', options.appendonly === true ? 'yes' : 'no');
  if (options.appendonly === true) args.push('--appendfsync', 'always');
  const child = spawn(redisServerPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`redis-server on port ${port} exited with ${child.exitCode}.`);
    if (await answersPing(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer PING within 5 s.`);
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  child.kill('SIGCONT');
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited(child);
  clearTimeout(killer);
}

/** Starts `redis-server` for one test; the caller stops it (in `afterEach`, so a failed test does too). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rxjs-backpressure-redis-'));
  let port = await freePort();
  let child: ChildProcess;
  try {
    child = await launch(port, dir, options);
  } catch {
    // Another process may have taken the port between freePort() and the server's bind: once more.
    port = await freePort();
    child = await launch(port, dir, options);
  }
  let stopped = false;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid ?? -1;
    },
    signal: (signal) => {
      child.kill(signal);
    },
    restart: async ({ kill = false } = {}) => {
      await terminate(child, kill ? 'SIGKILL' : 'SIGTERM');
      child = await launch(port, dir, options);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await terminate(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
