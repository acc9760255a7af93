import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { defer, from, lastValueFrom, type Subscription, tap, toArray, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { handshakeHandler } from '../../src/http/handshakeHandler.js';
import { RemoteService } from '../../src/http/RemoteService.js';
import { RemoteServiceError } from '../../src/http/RemoteServiceError.js';
import { type HandshakeProvider, ServiceAtCapacityError, withHandshake } from '../../src/index.js';
import { retryWithBackoff } from '../../src/operators/retryWithBackoff.js';
import { TrackedService } from '../../src/service/TrackedService.js';
import { eventually, type LoopbackServer, serveOnLoopback } from './serveOnLoopback.js';

function latch(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const servers: LoopbackServer[] = [];
const subscriptions: Subscription[] = [];

async function serve<Req, Res>(
  provider: HandshakeProvider<Req, Res>,
  options?: Parameters<typeof handshakeHandler<Req, Res>>[1],
): Promise<LoopbackServer> {
  const started = await serveOnLoopback(handshakeHandler(provider, options));
  servers.push(started);
  return started;
}

afterEach(async () => {
  for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Subscribes to `remote.credits$` for the test, collecting what it emits. */
function collectCredits(remote: RemoteService<unknown, unknown>): number[] {
  const credits: number[] = [];
  subscriptions.push(remote.credits$.subscribe((credit) => credits.push(credit)));
  return credits;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('RemoteService', () => {
  describe('options', () => {
    it('refuses an unparseable or non-http url, a fetch that is not a function and a bad timeout', () => {
      expect(() => new RemoteService({ url: 'not a url' })).toThrow(
        "options.url must be an absolute http: or https: URL, got 'not a url' (string).",
      );
      expect(() => new RemoteService({ url: 'ftp://127.0.0.1/' })).toThrow(TypeError);
      expect(() => new RemoteService({ url: 42 as never })).toThrow('options.url must be a string, got 42.');
      expect(() => new RemoteService({ url: 'http://127.0.0.1/', fetch: 'fetch' as never })).toThrow(
        "options.fetch must be a function, got 'fetch' (string).",
      );
      for (const timeout of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => new RemoteService({ url: 'http://127.0.0.1/', timeout })).toThrow(
          `options.timeout must be a positive finite number of milliseconds, got ${timeout}.`,
        );
      }
      expect(() => new RemoteService({ url: 'http://127.0.0.1/', timeout: '5' as never })).toThrow(TypeError);
      expect(() => new RemoteService(undefined as never)).toThrow(
        'options.url must be a string, got undefined.',
      );
      expect(() => new RemoteService({ url: 'http://127.0.0.1/', timeOut: 5 } as never)).toThrow(
        'options.timeOut is not an option here (did you mean timeout?)',
      );
      expect(() => new RemoteService({ url: 'http://127.0.0.1/', scheduler: 1 as never })).toThrow(
        /options.scheduler must be a SchedulerLike/,
      );
    });
  });

  describe('on virtual time (no sockets)', () => {
    it('times a call out on the given scheduler', async () => {
      const scheduler = new VirtualTimeScheduler();
      const hanging: typeof fetch = (_input, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        );
      const remote = new RemoteService<number, number>({
        url: 'http://127.0.0.1:1/',
        fetch: hanging,
        timeout: 30_000,
        scheduler,
      });
      const call = remote.do(1).catch((error: unknown) => error);
      await sleep(0);
      scheduler.flush();
      const error = (await call) as DOMException;
      expect(error.name).toBe('TimeoutError');
      expect(scheduler.now()).toBe(30_000);
    });

    it('reconnects the credit stream with backoff on the given scheduler, and leases once the server answers', async () => {
      const scheduler = new VirtualTimeScheduler();
      let attempts = 0;
      const events = 'event: lease\ndata: L1\n\nevent: share\ndata: 2\n\nevent: credit\ndata: 2\n\n';
      const flaky: typeof fetch = async () => {
        attempts++;
        if (attempts < 4) throw new TypeError('fetch failed');
        return new Response(
          new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode(events)) }),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      };
      const remote = new RemoteService<number, number>({
        url: 'http://127.0.0.1:1/',
        fetch: flaky,
        scheduler,
      });
      const credits = collectCredits(remote as RemoteService<unknown, unknown>);
      for (let turn = 0; turn < 4 && remote.share === undefined; turn++) {
        await sleep(5);
        scheduler.flush();
      }
      await eventually(() => remote.share === 2);
      expect(attempts).toBe(4);
      // Each wait is at most 100 ms, then 200, 400: full jitter.
      expect(scheduler.now()).toBeLessThanOrEqual(700);
      expect(remote.isReady()).toBe(true);
      expect(sum(credits)).toBeGreaterThanOrEqual(2);
    });
  });

  describe('do()', () => {
    it('POSTs the request as JSON and resolves with the result, below the path of the url', async () => {
      const provider = new TrackedService({ capacity: 2, handler: async (n: number) => ({ square: n * n }) });
      const server = await serve(provider);
      const remote = new RemoteService<number, { square: number }>({ url: server.url.slice(0, -1) });
      expect(await remote.do(7)).toEqual({ square: 49 });
      expect(server.answers).toEqual([{ method: 'POST', path: '/do', status: 200 }]);
    });

    it('sends undefined as an empty body and resolves with undefined for a 204', async () => {
      const seen: unknown[] = [];
      const provider = new TrackedService({
        capacity: 1,
        handler: async (req: undefined) => {
          seen.push(req);
          return undefined;
        },
      });
      const remote = new RemoteService<undefined, undefined>({ url: (await serve(provider)).url });
      expect(await remote.do(undefined)).toBeUndefined();
      expect(seen).toEqual([undefined]);
    });

    it('rejects a request JSON cannot carry with a TypeError naming req, without sending it', async () => {
      const server = await serve(new TrackedService({ capacity: 1, handler: async (n: bigint) => n }));
      const remote = new RemoteService<bigint, bigint>({ url: server.url });
      await expect(remote.do(1n)).rejects.toThrow(/^do\(req\): req must be JSON-serialisable: /);
      expect(server.answers).toEqual([]);
    });

    it('rejects a 503 with a ServiceAtCapacityError carrying Retry-After in ms, capacity and active', async () => {
      const gate = latch();
      const provider = new TrackedService({ capacity: 1, handler: () => gate.promise });
      const remote = new RemoteService<number, void>({ url: (await serve(provider, { retryAfter: 4 })).url });
      const first = remote.do(1);
      await eventually(() => provider.active === 1);
      const error = await remote.do(2).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ServiceAtCapacityError);
      expect(error).toMatchObject({
        code: 'ERR_SERVICE_AT_CAPACITY',
        retryAfter: 4_000,
        capacity: 1,
        active: 1,
      });
      gate.resolve();
      await first;
    });

    it('takes the retry advice from Retry-After-Ms when the server sends it, below a second', async () => {
      const gate = latch();
      const provider = new TrackedService({ capacity: 1, handler: () => gate.promise });
      const remote = new RemoteService<number, void>({
        url: (await serve(provider, { retryAfter: 0.05 })).url,
      });
      const first = remote.do(1);
      await eventually(() => provider.active === 1);
      await expect(remote.do(2)).rejects.toMatchObject({ code: 'ERR_SERVICE_AT_CAPACITY', retryAfter: 50 });
      gate.resolve();
      await first;
    });

    it('reads a Retry-After given as an HTTP-date', async () => {
      const server = createServer((_req, res) => {
        res.writeHead(503, { 'retry-after': new Date(Date.now() + 3_000).toUTCString() });
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const remote = new RemoteService<number, void>({ url: `http://127.0.0.1:${port}/` });
        const error = (await remote.do(1).catch((caught: unknown) => caught)) as ServiceAtCapacityError;
        expect(error).toBeInstanceOf(ServiceAtCapacityError);
        // The date has whole seconds: between 2 and 3 s ahead when sent.
        expect(error.retryAfter).toBeGreaterThan(1_500);
        expect(error.retryAfter).toBeLessThanOrEqual(3_000);
        expect(error.capacity).toBeUndefined();
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('rejects other error statuses with a RemoteServiceError carrying the status, message and code', async () => {
      const provider = new TrackedService({
        capacity: 1,
        handler: async (): Promise<never> => {
          throw new ServiceAtCapacityError({}, 'downstream is full');
        },
      });
      const failing: HandshakeProvider<number, never> = {
        credits$: provider.credits$,
        isReady: () => true,
        do: () => Promise.reject(Object.assign(new Error('no such order'), { code: 'E_ORDER' })),
      };
      const server = await serve(failing);
      const remote = new RemoteService<number, never>({ url: server.url });
      const error = (await remote.do(1).catch((caught: unknown) => caught)) as RemoteServiceError;
      expect(error).toBeInstanceOf(RemoteServiceError);
      expect(error.status).toBe(500);
      expect(error.code).toBe('ERR_REMOTE_SERVICE');
      expect(error.message).toBe(`POST ${server.url}do answered 500: no such order`);

      const elsewhere = new RemoteService<number, never>({ url: `${server.url}elsewhere/` });
      const missing = (await elsewhere.do(1).catch((caught: unknown) => caught)) as RemoteServiceError;
      expect(missing.status).toBe(404);
      expect(missing.remoteCode).toBeUndefined();
    });

    it('aborts the request after timeout ms with a TimeoutError, which aborts the work on the server', async () => {
      let workSignal: AbortSignal | undefined;
      const provider = new TrackedService({
        capacity: 1,
        handler: (_n: number, signal: AbortSignal) =>
          new Promise<never>((_resolve, reject) => {
            workSignal = signal;
            signal.addEventListener('abort', () => reject(signal.reason));
          }),
      });
      // Long enough for the work to start on a busy machine.
      const remote = new RemoteService<number, never>({ url: (await serve(provider)).url, timeout: 400 });
      const error = (await remote.do(1).catch((caught: unknown) => caught)) as DOMException;
      expect(error.name).toBe('TimeoutError');
      expect(error.message).toMatch(/took longer than 400 ms/);
      await eventually(() => workSignal?.aborted === true && provider.active === 0);
    });

    it("aborts the request when the caller's signal aborts, rejecting with its reason", async () => {
      const provider = new TrackedService({
        capacity: 1,
        handler: (_n: number, signal: AbortSignal) =>
          new Promise<never>((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason)),
          ),
      });
      const server = await serve(provider);
      const remote = new RemoteService<number, never>({ url: server.url });
      const controller = new AbortController();
      const call = remote.do(1, controller.signal);
      await eventually(() => provider.active === 1);
      const reason = new Error('the caller gave up');
      controller.abort(reason);
      await expect(call).rejects.toBe(reason);
      await eventually(() => provider.active === 0);

      await expect(remote.do(2, controller.signal)).rejects.toBe(reason);
      expect(() => remote.do(3, {} as AbortSignal)).toThrow(
        'do(req, signal): signal must be an AbortSignal, got an object.',
      );
      expect(server.answers).toHaveLength(1);
    });
  });

  describe('isReady()', () => {
    it('without a credit stream, lets one call out to learn the room from the X-Capacity and X-Active headers', async () => {
      const gates = [latch(), latch(), latch()];
      const provider = new TrackedService({ capacity: 3, handler: (n: number) => gates[n]!.promise });
      const remote = new RemoteService<number, void>({ url: (await serve(provider)).url });
      expect(remote.isReady()).toBe(true);
      const first = remote.do(0);
      expect(remote.isReady()).toBe(false);
      gates[0]!.resolve();
      await first;
      // The answer said 3 of 3 free.
      expect(remote.isReady()).toBe(true);
      const calls = [remote.do(1), remote.do(2)];
      expect(remote.isReady()).toBe(true);
      calls.push(remote.do(0));
      expect(remote.isReady()).toBe(false);
      gates[1]!.resolve();
      gates[2]!.resolve();
      await Promise.all(calls);
    });

    it('with a credit stream, is false until the first event tells the room, then follows it', async () => {
      const gate = latch();
      const provider = new TrackedService({ capacity: 2, handler: () => gate.promise });
      const remote = new RemoteService<number, void>({ url: (await serve(provider)).url });
      const credits = collectCredits(remote as RemoteService<unknown, unknown>);
      expect(remote.isReady()).toBe(false);
      await eventually(() => credits.length === 1);
      expect(credits).toEqual([2]);
      expect(remote.isReady()).toBe(true);
      const calls = [remote.do(1), remote.do(2)];
      expect(remote.isReady()).toBe(false);
      gate.resolve();
      await Promise.all(calls);
      await eventually(() => credits.length === 3);
      expect(credits).toEqual([2, 1, 1]);
      expect(remote.isReady()).toBe(true);
    });

    it('with a credit stream, gets back the credit of calls the server refused without running them', async () => {
      const provider = new TrackedService({ capacity: 2, handler: async (n: number) => n });
      const decode = (body: unknown): number => {
        if (typeof body !== 'number') throw new Error('not a number');
        return body;
      };
      const remote = new RemoteService<unknown, number>({ url: (await serve(provider, { decode })).url });
      const credits = collectCredits(remote as RemoteService<unknown, unknown>);
      await eventually(() => credits.length === 1);
      // Two 400s: no slot was taken, so no credit event will come for them.
      await expect(remote.do('one')).rejects.toBeInstanceOf(RemoteServiceError);
      await expect(remote.do('two')).rejects.toBeInstanceOf(RemoteServiceError);
      // The server gives each refused call's credit back on the lease.
      await eventually(() => sum(credits) === 4);
      expect(remote.isReady()).toBe(true);
      await expect(remote.do(3)).resolves.toBe(3);
    });
  });

  describe('calls that end without an answer', () => {
    it('keeps the room of four calls the caller aborted, so withHandshake still delivers every item', async () => {
      const provider = new TrackedService({
        capacity: 4,
        handler: (n: number, signal: AbortSignal) =>
          n < 0
            ? new Promise<number>((_resolve, reject) =>
                signal.addEventListener('abort', () => reject(signal.reason)),
              )
            : Promise.resolve(n),
      });
      const server = await serve(provider);
      // Calls for -3 and -4 are held on the client until aborted, as on a slow network.
      const slow: typeof fetch = (input, init) =>
        init?.body === '-3' || init?.body === '-4'
          ? new Promise((_resolve, reject) =>
              init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
            )
          : fetch(input, init);
      const remote = new RemoteService<number, number>({ url: server.url, fetch: slow });
      const credits = collectCredits(remote as RemoteService<unknown, unknown>);
      await eventually(() => credits.length === 1);
      const caller = new AbortController();
      const calls = [-1, -2, -3, -4].map((n) => remote.do(n, caller.signal));
      // Two reach the server, two are aborted before they could: no answer tells which.
      await eventually(() => provider.active === 2);
      caller.abort();
      for (const call of calls) await expect(call).rejects.toBeDefined();
      await eventually(() => provider.active === 0 && remote.isReady(), 2_000);
      await sleep(30);
      // The whole room of 4, not only the 2 slots the server freed.
      const next: Promise<number>[] = [];
      for (let n = 0; n < 4; n++) {
        expect(remote.isReady()).toBe(true);
        next.push(remote.do(n));
      }
      expect(remote.isReady()).toBe(false);
      await Promise.all(next);

      const items = [1, 2, 3, 4, 5];
      const results = await lastValueFrom(
        from(items).pipe(withHandshake(remote, { bufferSize: items.length }), toArray()),
      );
      expect([...results].sort((a, b) => a - b)).toEqual(items);
      expect(server.count(503)).toBe(0);
    });

    it('keeps the room of calls that failed with a network error', async () => {
      const provider = new TrackedService({ capacity: 2, handler: async (n: number) => n });
      const server = await serve(provider);
      let failing = true;
      const flaky: typeof fetch = (input, init) =>
        failing && init?.method === 'POST'
          ? Promise.reject(new TypeError('fetch failed'))
          : fetch(input, init);
      const remote = new RemoteService<number, number>({ url: server.url, fetch: flaky });
      const credits = collectCredits(remote as RemoteService<unknown, unknown>);
      await eventually(() => credits.length === 1);
      await Promise.all([
        expect(remote.do(1)).rejects.toThrow('fetch failed'),
        expect(remote.do(2)).rejects.toThrow('fetch failed'),
      ]);
      failing = false;
      await eventually(() => remote.isReady(), 2_000);
      const results = await lastValueFrom(from([3, 4, 5]).pipe(withHandshake(remote), toArray()));
      expect([...results].sort()).toEqual([3, 4, 5]);
    });
  });

  describe('credits$', () => {
    it('connects on the first subscription, is shared, tells a late subscriber the room, and closes after the last', async () => {
      const provider = new TrackedService({ capacity: 2, handler: async () => undefined });
      const server = await serve(provider);
      const remote = new RemoteService<number, void>({ url: server.url });
      await sleep(30);
      expect(server.openStreams()).toBe(0);

      const first: number[] = [];
      const one = remote.credits$.subscribe((credit) => first.push(credit));
      await eventually(() => first.length === 1);
      const second: number[] = [];
      const two = remote.credits$.subscribe((credit) => second.push(credit));
      expect(second).toEqual([2]);
      expect(server.openStreams()).toBe(1);

      one.unsubscribe();
      await sleep(30);
      expect(server.openStreams()).toBe(1);
      two.unsubscribe();
      await eventually(() => server.openStreams() === 0);
      expect(first).toEqual([2]);
    });

    it('takes a new lease after the server restarts, with the room the new server has', async () => {
      let current = await serve(new TrackedService({ capacity: 3, handler: async () => undefined }));
      const routed: typeof fetch = (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        url.port = new URL(current.url).port;
        return fetch(url, init);
      };
      const remote = new RemoteService<number, void>({ url: current.url, fetch: routed });
      const credits = collectCredits(remote as RemoteService<unknown, unknown>);
      await eventually(() => credits.length === 1);
      expect(credits).toEqual([3]);
      expect(remote.share).toBe(3);

      await current.close();
      await sleep(50);
      current = await serve(new TrackedService({ capacity: 5, handler: async () => undefined }));
      await eventually(() => current.openStreams() === 1 && remote.share === 5 && remote.isReady());

      // A restart with less room: the client holds what the new server leased it, no more.
      const gate = latch();
      await current.close();
      current = await serve(new TrackedService({ capacity: 2, handler: () => gate.promise }));
      await eventually(() => current.openStreams() === 1 && remote.share === 2 && remote.isReady());
      const calls = [remote.do(1), remote.do(2)];
      expect(remote.isReady()).toBe(false);
      gate.resolve();
      await Promise.all(calls);
      await eventually(() => remote.isReady());
      expect(current.count(503)).toBe(0);
    });

    /**
     * A server of capacity 2 whose every `/credits` response is kept (so a test can cut one, like a
     * network blip, while the server keeps running), with two calls admitted and held until `release`.
     */
    async function twoCallsHeldOnAServer(refuseStream: (index: number) => boolean = () => false) {
      const gate = latch();
      const provider = new TrackedService({
        capacity: 2,
        handler: async (n: number) => {
          if (n < 0) await gate.promise;
          return n;
        },
      });
      const handler = handshakeHandler(provider);
      const streams: ServerResponse[] = [];
      const server = await serveOnLoopback((req, res) => {
        if (req.url === '/credits') {
          if (refuseStream(streams.length)) res.destroy();
          streams.push(res);
        }
        handler(req, res);
      });
      servers.push(server);
      const remote = new RemoteService<number, number>({ url: server.url });
      const credits = collectCredits(remote as RemoteService<unknown, unknown>);
      await eventually(() => credits.length === 1);
      const held = [remote.do(-1), remote.do(-2)];
      await eventually(() => provider.active === 2);
      return {
        provider,
        server,
        remote,
        credits,
        streams,
        release: () => {
          gate.resolve();
          return Promise.all(held);
        },
      };
    }

    const streamRequests = (server: LoopbackServer) =>
      server.requests.filter((path) => path === '/credits').length;

    it('after a network blip with calls in flight, the new lease grants their slots as they free, so withHandshake never stalls', async () => {
      const { server, remote, credits, streams, release } = await twoCallsHeldOnAServer();
      // The server keeps running with both calls admitted: the new lease starts with no credit.
      streams[0]!.socket?.destroy();
      await eventually(() => streams.length === 2 && server.openStreams() === 1 && remote.share === 2);
      expect(remote.isReady()).toBe(false);

      await release();
      await eventually(() => remote.isReady(), 2_000);
      // The first lease's 2, then the two slots freed on the second: nothing counted twice.
      await eventually(() => sum(credits) === 4);
      await sleep(30);
      expect(sum(credits)).toBe(4);

      const items = [1, 2, 3, 4, 5];
      const results = await lastValueFrom(
        from(items).pipe(withHandshake(remote, { bufferSize: items.length }), toArray()),
      );
      expect([...results].sort((a, b) => a - b)).toEqual(items);
      expect(server.count(503)).toBe(0);
      expect(streamRequests(server)).toBe(2);

      for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
      await eventually(() => server.openStreams() === 0);
    });

    it('holds a credit of 0 from a server closed meanwhile without erroring, and wakes when it opens again', async () => {
      const { provider, server, remote, credits, streams, release } = await twoCallsHeldOnAServer();
      streams[0]!.socket?.destroy();
      await eventually(() => streams.length === 2 && server.openStreams() === 1 && remote.share === 2);
      provider.setCapacity(0);
      await release();
      await sleep(30);
      expect(remote.isReady()).toBe(false);
      expect(credits).toEqual([2]);

      provider.setCapacity(1);
      await eventually(() => remote.isReady(), 2_000);
      expect(credits).toEqual([2, 1]);
      expect(streamRequests(server)).toBe(2);
    });

    it('while a reconnection fails, falls back to the room the answers tell, then takes a new lease', async () => {
      const { server, remote, credits, streams, release } = await twoCallsHeldOnAServer(
        (index) => index === 1,
      );
      streams[0]!.socket?.destroy();
      await eventually(() => streams.length === 2);
      await release();
      // The answers said 2 of 2 free; the third connection leases the same room.
      await eventually(() => server.openStreams() === 1 && remote.share === 2 && remote.isReady(), 2_000);
      expect(streamRequests(server)).toBe(3);
      expect(sum(credits)).toBeGreaterThanOrEqual(4);
      expect(server.requests.filter((path) => path !== '/credits' && path !== '/do')).toEqual([]);
    });

    it('errors with a RemoteServiceError when the server has no credit stream there', async () => {
      const server = await serve(new TrackedService({ capacity: 1, handler: async () => undefined }));
      const remote = new RemoteService<number, void>({ url: `${server.url}nowhere/` });
      const error = await new Promise<unknown>((resolve) => {
        subscriptions.push(remote.credits$.subscribe({ error: resolve }));
      });
      expect(error).toBeInstanceOf(RemoteServiceError);
      expect((error as RemoteServiceError).status).toBe(404);
      expect(server.openStreams()).toBe(0);
    });
  });

  describe('credits$ against a misbehaving server', () => {
    it('errors with a RemoteServiceError when /credits answers something other than an event stream', async () => {
      const server = await serveOnLoopback((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
      servers.push(server);
      const remote = new RemoteService<number, void>({ url: server.url });
      const error = await new Promise<unknown>((resolve) => {
        subscriptions.push(remote.credits$.subscribe({ error: resolve }));
      });
      expect(error).toBeInstanceOf(RemoteServiceError);
      expect((error as RemoteServiceError).message).toMatch(/application\/json, not text\/event-stream/);
    });

    it('errors when the first event is not the room', async () => {
      const server = await serveOnLoopback((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: credit\ndata: 1\n\n');
      });
      servers.push(server);
      const remote = new RemoteService<number, void>({ url: server.url });
      const credits: number[] = [];
      const error = await new Promise<unknown>((resolve) => {
        subscriptions.push(
          remote.credits$.subscribe({ next: (credit) => credits.push(credit), error: resolve }),
        );
      });
      expect((error as RemoteServiceError).message).toMatch(/it began with a credit event/);
      expect(credits).toEqual([]);
    });

    it('gives up on a connection that does not answer within timeout ms, and tries again', async () => {
      const server = await serveOnLoopback(() => undefined);
      servers.push(server);
      const remote = new RemoteService<number, void>({ url: server.url, timeout: 30 });
      collectCredits(remote as RemoteService<unknown, unknown>);
      await eventually(() => server.requests.length >= 2);
      expect(server.requests.every((path) => path === '/credits')).toBe(true);
    });
  });

  describe('with withHandshake', () => {
    it('delivers every item exactly once and meets no 503 while the credit stream is connected (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 40 }),
          async (latencies) => {
            const runs = new Map<number, number>();
            let running = 0;
            let most = 0;
            const provider = new TrackedService({
              capacity: 8,
              handler: async (item: number) => {
                runs.set(item, (runs.get(item) ?? 0) + 1);
                most = Math.max(most, ++running);
                await sleep(latencies[item] ?? 0);
                running--;
                return item;
              },
            });
            const server = await serveOnLoopback(handshakeHandler(provider));
            try {
              const remote = new RemoteService<number, number>({ url: server.url });
              const items = latencies.map((_latency, index) => index);
              const results = await lastValueFrom(
                from(items).pipe(withHandshake(remote, { bufferSize: items.length }), toArray()),
              );
              expect([...results].sort((a, b) => a - b)).toEqual(items);
              expect([...runs.values()].every((count) => count === 1)).toBe(true);
              expect(runs.size).toBe(items.length);
              expect(server.count(503)).toBe(0);
              expect(server.requests.filter((path) => path === '/credits')).toHaveLength(1);
              expect(most).toBeLessThanOrEqual(8);
            } finally {
              await server.close();
            }
          },
        ),
        { numRuns: 15 },
      );
    });

    it('degrades to 503 and retryWithBackoff when the credit stream is down, and still delivers every item', async () => {
      const hold = latch();
      const provider = new TrackedService({
        capacity: 8,
        handler: async (item: number) => {
          if (item < 0) await hold.promise;
          else await sleep(item % 4);
          return item;
        },
      });
      const handler = handshakeHandler(provider, { retryAfter: 0 });
      const server = await serveOnLoopback((req, res) => {
        if (req.url === '/credits') res.destroy();
        else handler(req, res);
      });
      servers.push(server);
      // Another client holds every slot, so the first calls meet a full server.
      const other = new RemoteService<number, number>({ url: server.url });
      const held = Array.from({ length: 8 }, (_, index) => other.do(-1 - index));
      await eventually(() => provider.active === 8);

      const remote = new RemoteService<number, number>({ url: server.url });
      const items = Array.from({ length: 40 }, (_, index) => index);
      const pending = new Set(items);
      const delivered: number[] = [];
      const done = lastValueFrom(
        defer(() => from([...pending])).pipe(
          withHandshake(remote, { bufferSize: items.length }),
          tap((item) => {
            pending.delete(item);
            delivered.push(item);
          }),
          retryWithBackoff({ initialDelay: 5, maxDelay: 20, maxAttempts: Number.POSITIVE_INFINITY }),
          toArray(),
        ),
      );
      await eventually(() => server.count(503) >= 3);
      hold.resolve();
      await Promise.all(held);
      await done;
      expect([...delivered].sort((a, b) => a - b)).toEqual(items);
      expect(server.count(503)).toBeGreaterThanOrEqual(3);
    });

    it('lets retryWithBackoff wait as long as the Retry-After of the 503 asks, within maxDelay', async () => {
      const gate = latch();
      const provider = new TrackedService({
        capacity: 1,
        handler: async (item: number) => {
          if (item === 0) await gate.promise;
          return item;
        },
      });
      const server = await serve(provider, { retryAfter: 1 });
      const remote = new RemoteService<number, number>({ url: server.url });
      const occupying = remote.do(0);
      await eventually(() => provider.active === 1);
      const attempts: number[] = [];
      const retried = lastValueFrom(
        defer(() => {
          attempts.push(Date.now());
          return remote.do(1);
        }).pipe(retryWithBackoff({ initialDelay: 1, maxDelay: 2_000, jitter: 'none' })),
      );
      await eventually(() => server.count(503) === 1);
      gate.resolve();
      await occupying;
      expect(await retried).toBe(1);
      expect(attempts).toHaveLength(2);
      expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(990);
    });
  });
});
