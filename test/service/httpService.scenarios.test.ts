// The scenarios of issue 14, as a new user would write them from the README: a fan-out of 10,000
// requests to a local HTTP server that takes 8 at a time, with and without an outage, and a quota.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { defer, lastValueFrom, map, range, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CircuitOpenError,
  type CircuitState,
  circuitBreaker,
  HttpStatusError,
  httpService,
  ServiceAtCapacityError,
  withHandshake,
} from '../../src/index.js';
import { type LoopbackServer, serveOnLoopback } from '../http/serveOnLoopback.js';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  vi.restoreAllMocks();
});

/** Everything written to stderr and every process warning while `run` runs. */
async function watchingStderr<T>(run: () => Promise<T>): Promise<{ result: T; stderr: string[] }> {
  const stderr: string[] = [];
  const onWarning = (warning: Error) => stderr.push(`warning: ${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderr.push(String(chunk));
    return write(chunk, ...(rest as []));
  });
  try {
    const result = await run();
    await new Promise((resolve) => setImmediate(resolve));
    return { result, stderr };
  } finally {
    process.off('warning', onWarning);
  }
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/**
 * Starts fixtures/eightAtATime.mjs in a child process: 8 requests at once, 5 ms each, 503 with
 * `Retry-After: 1` beyond, and 500s during `outage` (from, for: ms after its first request).
 */
async function serveEight(outage?: { from: number; for: number }) {
  const script = fileURLToPath(new URL('./fixtures/eightAtATime.mjs', import.meta.url));
  const args = outage === undefined ? [] : [String(outage.from), String(outage.for)];
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const [port] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${port.toString().trim()}/`;
  return {
    url,
    counts: async (): Promise<Record<200 | 500 | 503, number>> => (await fetch(`${url}stats`)).json(),
  };
}

const retryIf = (error: unknown) =>
  error instanceof ServiceAtCapacityError ||
  error instanceof CircuitOpenError ||
  (error instanceof HttpStatusError && error.retryable);

async function fanOut(url: string, items: number) {
  let subscriptions = 0;
  const api = httpService(url, { capacity: 8, timeout: 5_000, read: (response) => response.text() });
  const breaker = circuitBreaker(api, { failureThreshold: 5, resetTimeout: 100 });
  const states: CircuitState[] = [];
  const watching = breaker.state$.subscribe((state) => states.push(state));
  const results = await lastValueFrom(
    defer(() => {
      subscriptions++;
      return range(0, items);
    }).pipe(
      map((id) => `items/${id}`),
      withHandshake(breaker, {
        bufferSize: items,
        concurrency: 8,
        retry: { maxAttempts: 100, initialDelay: 10, maxDelay: 500, retryIf },
      }),
      toArray(),
    ),
  );
  watching.unsubscribe();
  return { results, subscriptions, states };
}

function expectEachOnce(results: readonly string[], items: number): void {
  expect(results).toHaveLength(items);
  expect(new Set(results).size).toBe(items);
  for (let id = 0; id < items; id++) expect(results.includes(`items/${id}`) || id).not.toBe(id);
}

describe('httpService + circuitBreaker + withHandshake against a local server that takes 8 at a time', () => {
  it('gets 10,000 answers, each exactly once, from one subscription, with few 503s and nothing on stderr', async () => {
    const server = await serveEight();
    const { result, stderr } = await watchingStderr(() => fanOut(server.url, 10_000));
    expectEachOnce(result.results, 10_000);
    expect(result.subscriptions).toBe(1);
    const counts = await server.counts();
    expect(counts[200]).toBe(10_000);
    expect(counts[503]).toBeLessThanOrEqual((counts[200] + counts[503]) / 100);
    expect(result.states).toEqual(['closed']);
    expect(stderr).toEqual([]);
  }, 120_000);

  it('rides out a 1.5 s outage of 500s: every answer exactly once, the breaker opening and closing', async () => {
    const server = await serveEight({ from: 1_000, for: 1_500 });
    const { result, stderr } = await watchingStderr(() => fanOut(server.url, 10_000));
    expectEachOnce(result.results, 10_000);
    expect(result.subscriptions).toBe(1);
    const counts = await server.counts();
    expect(counts[200]).toBe(10_000);
    expect(counts[500]).toBeGreaterThan(0);
    expect(result.states).toContain('open');
    expect(result.states).toContain('half-open');
    expect(result.states.at(-1)).toBe('closed');
    expect(stderr).toEqual([]);
  }, 120_000);
});

describe('httpService + withHandshake against a local server with a quota announced in RateLimit headers', () => {
  it('sends 3,000 requests at 500 per 1 s window without one 429, waiting for each reset', async () => {
    const quota = 500;
    const window = 1_000;
    const started = Date.now();
    const perWindow = new Map<number, number>();
    let refused = 0;
    const server = await serveOnLoopback((req, res) => {
      const now = Date.now();
      const index = Math.floor((now - started) / window);
      const resetIn = ((index + 1) * window - (now - started)) / 1000;
      const used = perWindow.get(index) ?? 0;
      const policy = { 'RateLimit-Policy': `"default";q=${quota};w=${window / 1000}` };
      if (used >= quota) {
        refused++;
        res
          .writeHead(429, {
            ...policy,
            RateLimit: `"default";r=0;t=${resetIn}`,
            'Retry-After': String(Math.ceil(resetIn)),
          })
          .end();
        return;
      }
      perWindow.set(index, used + 1);
      setTimeout(() => {
        res
          .writeHead(200, { ...policy, RateLimit: `"default";r=${quota - used - 1};t=${resetIn}` })
          .end(req.url);
      }, 5);
    });
    servers.push(server);
    const api = httpService(server.url, { capacity: 8, read: (response) => response.text() });
    const { result, stderr } = await watchingStderr(() =>
      lastValueFrom(
        range(0, 3_000).pipe(
          map((id) => `/items/${id}`),
          withHandshake(api, { bufferSize: 3_000 }),
          toArray(),
        ),
      ),
    );
    expect(refused).toBe(0);
    expect(new Set(result).size).toBe(3_000);
    // Six windows' worth of quota at least; more only when the machine is too slow to spend a window's
    // quota, which is speed, not behaviour. What waiting for each reset means: no window passes idle
    // between the first request and the last.
    expect(perWindow.size).toBeGreaterThanOrEqual(6);
    const windows = [...perWindow.keys()].sort((a, b) => a - b);
    expect(windows).toEqual(windows.map((_, at) => (windows[0] ?? 0) + at));
    expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(quota);
    expect(stderr).toEqual([]);
  }, 60_000);
});
