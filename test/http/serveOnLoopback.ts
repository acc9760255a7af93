import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer the server gave (or a request whose connection closed before it). */
export interface Answer {
  readonly method: string;
  readonly path: string;
  /** The status sent, or `undefined` when the client went away first. */
  readonly status: number | undefined;
}

/** A server on 127.0.0.1 with an OS-chosen port, recording its answers, for one test. */
export interface LoopbackServer {
  readonly server: Server;
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  /** The path of every request, as it arrived. */
  readonly requests: string[];
  /** Every answer, as its connection closed. */
  readonly answers: Answer[];
  /** How many answers of each status so far. */
  count(status: number): number;
  /** `/credits` streams open now. */
  openStreams(): number;
  /** Force-closes every connection (open event streams included) and stops listening. */
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1, port 0 (the OS picks a free one). */
export async function serveOnLoopback(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<LoopbackServer> {
  const requests: string[] = [];
  const answers: Answer[] = [];
  let streams = 0;
  const server = createServer((req, res) => {
    const method = req.method ?? '';
    const path = (req.url ?? '').split('?', 1)[0] ?? '';
    requests.push(path);
    if (path === '/credits') {
      streams++;
      res.once('close', () => streams--);
    }
    res.once('close', () => {
      answers.push({ method, path, status: res.headersSent ? res.statusCode : undefined });
    });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    server,
    url: `http://127.0.0.1:${port}/`,
    requests,
    answers,
    count: (status) => answers.filter((answer) => answer.status === status).length,
    openStreams: () => streams,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** Waits until `condition()` holds, checking every few milliseconds; fails after `timeout` ms. */
export async function eventually(condition: () => boolean, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`The condition did not hold within ${timeout} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
