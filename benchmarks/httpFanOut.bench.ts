// Issue 14's fan-out: N GETs to a local HTTP server that works on 8 requests at once, 5 ms each, and
// answers 503 + Retry-After beyond that. Ours (httpService + circuitBreaker + withHandshake with
// per-item retry) beside plain mergeMap(get, 8). The server runs in a child process, so the client's
// figures are its own: wall time, items/s, 503s the server sent, and the client's peak heap.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { count, lastValueFrom, map, mergeMap, range } from 'rxjs';
import {
  CircuitOpenError,
  circuitBreaker,
  HttpStatusError,
  httpService,
  ServiceAtCapacityError,
  withHandshake,
} from '../src/index.js';
import { type BenchmarkOptions, type BenchmarkRow, formatBytes, HeapSampler } from './harness.js';

// The server, as a script for a child process: prints its port, counts 503s per run (GET /stats
// reads and resets them).
const serverScript = `
const { createServer } = require('node:http');
let active = 0, refused = 0;
const server = createServer((req, res) => {
  if (req.url === '/stats') { res.end(String(refused)); refused = 0; return; }
  if (active >= 8) { refused++; res.writeHead(503, { 'Retry-After': '1' }).end(); return; }
  active++;
  setTimeout(() => { active--; res.end(req.url); }, 5);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', serverScript], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${chunk.toString().trim()}/`, child };
}

const retryIf = (error: unknown) =>
  error instanceof ServiceAtCapacityError ||
  error instanceof CircuitOpenError ||
  (error instanceof HttpStatusError && error.retryable);

interface FanOutRun {
  readonly name: string;
  run(url: string, items: number): Promise<number>;
}

const ours: FanOutRun = {
  name: 'httpService + circuitBreaker + withHandshake(retry), capacity 8',
  run: (url, items) => {
    const api = httpService(url, { capacity: 8, read: (response) => response.text() });
    const breaker = circuitBreaker(api, { failureThreshold: 5, resetTimeout: 100 });
    return lastValueFrom(
      range(0, items).pipe(
        map((id) => `items/${id}`),
        withHandshake(breaker, {
          bufferSize: items,
          concurrency: 8,
          retry: { maxAttempts: 100, initialDelay: 10, maxDelay: 1_000, retryIf },
        }),
        count(),
      ),
    );
  },
};

const plain: FanOutRun = {
  name: 'mergeMap(get, 8)',
  run: (url, items) =>
    lastValueFrom(
      range(0, items).pipe(
        mergeMap((id) => fetch(`${url}items/${id}`).then((response) => response.text()), 8),
        count(),
      ),
    ),
};

export async function run(options: BenchmarkOptions): Promise<BenchmarkRow[]> {
  const items = options.quick ? 400 : 10_000;
  const { url, child } = await startServer();
  try {
    const rows: BenchmarkRow[] = [];
    for (const contender of [plain, ours, plain, ours].slice(options.quick ? 2 : 0)) {
      await fetch(`${url}stats`).then((response) => response.text());
      const heap = new HeapSampler();
      const sampling = setInterval(() => heap.sample(), 20);
      const started = performance.now();
      const delivered = await contender.run(url, items);
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampling);
      heap.sample();
      if (delivered !== items) throw new Error(`${contender.name} delivered ${delivered} of ${items} items.`);
      const refused = Number(await fetch(`${url}stats`).then((response) => response.text()));
      rows.push({
        name: `${contender.name}: ${items} GETs`,
        itemsPerSecond: items / seconds,
        ratio: `${seconds.toFixed(2)} s, ${refused} 503s, peak heap +${formatBytes(heap.peakBytes)}`,
      });
    }
    return rows;
  } finally {
    child.kill();
  }
}
