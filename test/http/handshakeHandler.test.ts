import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { defer, finalize, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { handshakeHandler } from '../../src/http/handshakeHandler.js';
import { type SseEvent, SseParser } from '../../src/http/internal/SseParser.js';
import { type HandshakeProvider, ServiceAtCapacityError } from '../../src/index.js';
import { TrackedService } from '../../src/service/TrackedService.js';
import { eventually, type LoopbackServer, serveOnLoopback } from './serveOnLoopback.js';

const json = { 'content-type': 'application/json' };

/** A promise the test settles by hand. */
function latch<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

const servers: LoopbackServer[] = [];
async function serve(
  provider: HandshakeProvider<unknown, unknown>,
  options?: Parameters<typeof handshakeHandler>[1],
) {
  const started = await serveOnLoopback(handshakeHandler(provider, options));
  servers.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function post(url: string, body: string, init: RequestInit = {}): Promise<Response> {
  return fetch(new URL('do', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    ...init,
  });
}

/** Wraps a TrackedService so a test can count the credits$ subscriptions the handler holds. */
function countingSubscriptions<Req, Res>(tracked: TrackedService<Req, Res>) {
  const counter = { subscribed: 0 };
  const provider: HandshakeProvider<Req, Res> = {
    isReady: () => tracked.isReady(),
    do: (req, signal) => tracked.do(req, signal),
    credits$: defer(() => {
      counter.subscribed++;
      return tracked.credits$.pipe(finalize(() => counter.subscribed--));
    }),
  };
  return { provider: provider as HandshakeProvider<unknown, unknown>, counter };
}

/** Opens `/credits` and collects its events until `stop()`. */
async function listen(url: string): Promise<{ events: SseEvent[]; stop: () => void }> {
  const controller = new AbortController();
  const response = await fetch(new URL('credits', url), { signal: controller.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.push(decoder.decode(value, { stream: true }));
    }
  })().catch(() => undefined);
  return { events, stop: () => controller.abort() };
}

describe('handshakeHandler', () => {
  describe('arguments', () => {
    it('refuses a provider without isReady, do and credits$, naming the argument', () => {
      expect(() => handshakeHandler({} as HandshakeProvider<unknown, unknown>)).toThrow(
        /handshakeHandler\(provider\) must be a HandshakeProvider.*an object/,
      );
      const noCredits = { isReady: () => true, do: async () => 1 } as unknown as HandshakeProvider<
        unknown,
        unknown
      >;
      expect(() => handshakeHandler(noCredits)).toThrow(TypeError);
    });

    it('refuses bad options with errors naming the option and the value', () => {
      const provider = new TrackedService({ capacity: 1, handler: async () => 1 });
      expect(() => handshakeHandler(provider, { retryAfter: -1 })).toThrow(
        'options.retryAfter must be a non-negative finite number of seconds, got -1.',
      );
      expect(() => handshakeHandler(provider, { retryAfter: Number.POSITIVE_INFINITY })).toThrow(RangeError);
      expect(() => handshakeHandler(provider, { maxStreams: 1.5 })).toThrow(
        'options.maxStreams must be a non-negative integer, got 1.5.',
      );
      expect(() => handshakeHandler(provider, { callTimeout: 0 })).toThrow(/options.callTimeout.*got 0/);
      expect(() => handshakeHandler(provider, { revokeAfter: -5 })).toThrow(/options.revokeAfter.*got -5/);
      expect(() => handshakeHandler(provider, { heartbeatInterval: Number.POSITIVE_INFINITY })).toThrow(
        /options.heartbeatInterval/,
      );
      expect(() => handshakeHandler(provider, { scheduler: {} as never })).toThrow(/options.scheduler/);
      expect(() => handshakeHandler(provider, { cors: { origins: 'https://a.example' as never } })).toThrow(
        "options.cors.origins must be '*' or an array of origin strings, got 'https://a.example' (string).",
      );
      expect(() => handshakeHandler(provider, { cors: { origins: '*', credentials: 1 as never } })).toThrow(
        'options.cors.credentials must be a boolean, got 1.',
      );
      expect(() => handshakeHandler(provider, { maxBodybytes: 5 } as never)).toThrow(
        'options.maxBodybytes is not an option here (did you mean maxBodyBytes?)',
      );
      expect(() => handshakeHandler(provider, { cors: { origins: '*', origin: 'x' } as never })).toThrow(
        /options.cors.origin is not an option here/,
      );
      expect(() => handshakeHandler(provider, { maxBodyBytes: Number.NaN })).toThrow(
        /options.maxBodyBytes.*NaN/,
      );
      expect(() => handshakeHandler(provider, { decode: 'json' as never })).toThrow(
        "options.decode must be a function, got 'json' (string).",
      );
      expect(() => handshakeHandler(provider, { encode: 1 as never })).toThrow(/options.encode/);
      expect(() => handshakeHandler(provider, 5 as never)).toThrow('options must be an object, got 5.');
    });
  });

  describe('GET /ready', () => {
    it('answers 200 with the load when the provider is ready, and 503 with Retry-After when it is not', async () => {
      const gate = latch();
      const provider = new TrackedService({ capacity: 1, handler: () => gate.promise });
      const { url } = await serve(provider, { retryAfter: 3 });

      const ready = await fetch(new URL('ready', url));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ ready: true, capacity: 1, active: 0 });
      expect(ready.headers.get('x-capacity')).toBe('1');

      void provider.do(undefined);
      const busy = await fetch(new URL('ready', url));
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('3');
      expect(busy.headers.get('x-active')).toBe('1');
      expect(await busy.json()).toMatchObject({ ready: false, capacity: 1, active: 1, retryAfter: 3 });
      gate.resolve();
    });
  });

  describe('POST /do', () => {
    it('runs the work and answers 200 with the JSON result and the load after it', async () => {
      const provider = new TrackedService({
        capacity: 2,
        handler: async (req: { n: number }) => ({ twice: req.n * 2 }),
      });
      const { url } = await serve(provider as HandshakeProvider<unknown, unknown>);
      const response = await post(url, '{"n":21}');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('x-capacity')).toBe('2');
      expect(response.headers.get('x-active')).toBe('0');
      expect(await response.json()).toEqual({ twice: 42 });
    });

    it('passes the body through decode and the result through encode, and answers 204 for undefined', async () => {
      const seen: unknown[] = [];
      const provider = new TrackedService({
        capacity: 1,
        handler: async (req: unknown) => {
          seen.push(req);
          return req === undefined ? undefined : 'done';
        },
      });
      const { url } = await serve(provider, {
        decode: (body) => (body === undefined ? undefined : { decoded: body }),
        encode: (result) => (result === undefined ? undefined : { encoded: result }),
      });
      const encoded = await post(url, '[1]');
      expect(await encoded.json()).toEqual({ encoded: 'done' });
      const empty = await post(url, '');
      expect(empty.status).toBe(204);
      expect(await empty.text()).toBe('');
      expect(seen).toEqual([{ decoded: [1] }, undefined]);
    });

    it('answers 500 with the message and code of the error the work failed with', async () => {
      const provider = new TrackedService({
        capacity: 1,
        handler: async (): Promise<never> => {
          throw new Error('the disk is full');
        },
      });
      const { url } = await serve(provider);
      const response = await post(url, '1');
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: 'the disk is full' });
      expect(provider.active).toBe(0);
    });

    it('answers 500 when the result cannot be encoded as JSON', async () => {
      const provider = new TrackedService({ capacity: 1, handler: async () => 10n });
      const { url } = await serve(provider);
      const response = await post(url, '1');
      expect(response.status).toBe(500);
      expect((await response.json()).message).toMatch(/BigInt/);
    });

    it('accepts an Observable result, answering with its last value', async () => {
      const { of } = await import('rxjs');
      const provider: HandshakeProvider<unknown, number> = {
        credits$: of(1),
        isReady: () => true,
        do: () => of(1, 2, 3),
      };
      const { url } = await serve(provider);
      expect(await (await post(url, 'null')).json()).toBe(3);
    });

    it('answers 503 with Retry-After at capacity without running the work', async () => {
      const gate = latch();
      let calls = 0;
      const provider = new TrackedService({
        capacity: 1,
        handler: () => {
          calls++;
          return gate.promise;
        },
      });
      const { url } = await serve(provider, { retryAfter: 7 });
      const first = post(url, '1');
      await eventually(() => provider.active === 1);
      const refused = await post(url, '2');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('7');
      expect(await refused.json()).toMatchObject({
        code: 'ERR_SERVICE_AT_CAPACITY',
        capacity: 1,
        active: 1,
        retryAfter: 7,
      });
      expect(calls).toBe(1);
      gate.resolve();
      expect((await first).status).toBe(204);
    });

    it('answers 503 when do() itself refuses with a ServiceAtCapacityError, advising its retryAfter', async () => {
      const provider: HandshakeProvider<unknown, never> = {
        credits$: new (await import('rxjs')).Subject<number>(),
        isReady: () => true,
        do: () => Promise.reject(new ServiceAtCapacityError({ retryAfter: 2_500 })),
      };
      const { url } = await serve(provider);
      const refused = await post(url, '1');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('3');
      expect(refused.headers.get('retry-after-ms')).toBe('2500');
    });

    it('caps absurd retry advice at a day, so Retry-After stays a plain integer', async () => {
      const provider: HandshakeProvider<unknown, never> = {
        credits$: new (await import('rxjs')).Subject<number>(),
        isReady: () => true,
        do: () => Promise.reject(new ServiceAtCapacityError({ retryAfter: 1e25 })),
      };
      const { url } = await serve(provider);
      const refused = await post(url, '1');
      expect(refused.headers.get('retry-after')).toBe('86400');
      expect(refused.headers.get('retry-after-ms')).toBe('86400000');
    });

    it('advises sub-second waits from the retryAfter option in Retry-After-Ms', async () => {
      const gate = latch();
      const provider = new TrackedService({ capacity: 1, handler: () => gate.promise });
      const { url } = await serve(provider, { retryAfter: 0.05 });
      void provider.do(undefined);
      const refused = await post(url, '1');
      expect(refused.headers.get('retry-after-ms')).toBe('50');
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ retryAfterMs: 50, retryAfter: 1 });
      gate.resolve();
    });

    it('derives Retry-After-Ms from the average call duration divided by the capacity, and Retry-After in whole seconds from it', async () => {
      const gate = latch();
      let slow = true;
      const provider = new TrackedService({
        capacity: 1,
        handler: async () => {
          if (slow) await new Promise((resolve) => setTimeout(resolve, 1_100));
          else await gate.promise;
        },
      });
      const { url } = await serve(provider);
      const running = post(url, '1');
      await eventually(() => provider.active === 1);
      const first = await post(url, '2');
      // No call finished yet: the least advice, 1 ms, which is 1 s in whole seconds.
      expect(first.headers.get('retry-after-ms')).toBe('1');
      expect(first.headers.get('retry-after')).toBe('1');
      await running;
      slow = false;
      const held = post(url, '3');
      await eventually(() => provider.active === 1);
      // One call of about 1.1 s on a capacity of 1: a slot frees every 1.1 s, rounded up to 2.
      const second = await post(url, '4');
      expect(Number(second.headers.get('retry-after-ms'))).toBeGreaterThanOrEqual(1_100);
      expect(second.headers.get('retry-after')).toBe('2');
      gate.resolve();
      await held;
    });

    it('frees the slot and aborts the signal of the work when the client disconnects mid-request', async () => {
      const started = latch<AbortSignal>();
      const provider = new TrackedService({
        capacity: 1,
        handler: (_req: unknown, signal: AbortSignal) =>
          new Promise((_resolve, reject) => {
            started.resolve(signal);
            signal.addEventListener('abort', () => reject(signal.reason));
          }),
      });
      const { url } = await serve(provider);
      const controller = new AbortController();
      const call = post(url, '1', { signal: controller.signal });
      const signal = await started.promise;
      expect(provider.active).toBe(1);
      controller.abort();
      await expect(call).rejects.toThrow();
      await eventually(() => signal.aborted && provider.active === 0);
      expect((await fetch(new URL('ready', url))).status).toBe(200);
    });
  });

  describe('bad requests', () => {
    /** A TrackedService that counts the calls that reached its handler. */
    function countingService() {
      const service = new TrackedService({
        capacity: 2,
        handler: async (n: unknown) => {
          service.calls++;
          return n;
        },
      }) as TrackedService<unknown, unknown> & { calls: number };
      service.calls = 0;
      return service;
    }

    it('answers 413 to a body over maxBodyBytes, declared or streamed, without running the work', async () => {
      const provider = countingService();
      const { url } = await serve(provider, { maxBodyBytes: 16 });
      const declared = await post(url, JSON.stringify('x'.repeat(100)));
      expect(declared.status).toBe(413);
      expect((await declared.json()).message).toBe('The body is larger than the limit of 16 bytes.');

      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('"0123456789"'));
          controller.close();
        },
      });
      const streamed = await fetch(new URL('do', url), {
        method: 'POST',
        headers: json,
        body: chunks,
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(provider.calls).toBe(0);
      expect((await post(url, '"fits"')).status).toBe(200);
    });

    it('answers 400 to invalid JSON and to a body that decode refuses', async () => {
      const provider = countingService();
      const { url } = await serve(provider, {
        decode: (body) => {
          if (typeof body !== 'number') throw new Error('a number, please');
          return body;
        },
      });
      const invalid = await post(url, '{"n":');
      expect(invalid.status).toBe(400);
      expect((await invalid.json()).message).toMatch(/^The body is not valid JSON: /);
      const refused = await post(url, '"seven"');
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({ message: 'options.decode refused the body: a number, please' });
      expect(provider.calls).toBe(0);
    });

    it('answers 404 to an unknown path and 405 with Allow to a wrong method', async () => {
      const provider = countingService();
      const { url } = await serve(provider);
      const unknown = await fetch(new URL('do/more', url), { method: 'POST', body: '1' });
      expect(unknown.status).toBe(404);
      expect((await unknown.json()).message).toMatch(/No such endpoint: '\/do\/more'/);
      for (const [method, path, allowed] of [
        ['GET', 'do', 'POST'],
        ['POST', 'ready', 'GET, HEAD'],
        ['DELETE', 'credits', 'GET'],
      ] as const) {
        const wrong = await fetch(new URL(path, url), { method });
        expect(wrong.status).toBe(405);
        expect(wrong.headers.get('allow')).toBe(allowed);
        expect((await wrong.json()).message).toContain(`takes ${allowed}`);
      }
      expect(provider.calls).toBe(0);
      expect(provider.active).toBe(0);
    });

    it('admits nothing when the client disconnects in the middle of the body', async () => {
      const provider = countingService();
      const server = await serve(provider);
      const req = request(new URL('do', server.url), {
        method: 'POST',
        headers: { 'content-length': '50', 'content-type': 'application/json' },
      });
      req.on('error', () => undefined);
      req.write('[1,2,3,');
      await new Promise((resolve) => setTimeout(resolve, 20));
      req.destroy();
      await eventually(() => server.answers.length === 1);
      expect(server.answers[0]).toEqual({ method: 'POST', path: '/do', status: undefined });
      expect(provider.calls).toBe(0);
      expect((await post(server.url, '1')).status).toBe(200);
    });

    it('survives 1,000 malformed requests of eight kinds and still serves good ones', async () => {
      const provider = countingService();
      const server = await serve(provider, {
        maxBodyBytes: 64,
        decode: (body) => {
          if (typeof body !== 'number') throw new Error('a number, please');
          return body;
        },
      });
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      const target = new URL('do', server.url);
      const send = (method: string, path: string, body: string) =>
        new Promise<void>((resolve) => {
          const req = request(new URL(path, server.url), { method, agent, headers: json }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', () => resolve());
          req.end(body);
        });
      const malformed = [
        () => send('POST', 'do', '{"n":'),
        () => send('POST', 'do', JSON.stringify('x'.repeat(200))),
        () => send('POST', 'nowhere', '1'),
        () => send('PUT', 'do', '1'),
        () => send('POST', 'do', '"not a number"'),
        () => send('POST', 'do', '\u00ff\ufffe{'),
        // Not HTTP at all: Node's parser answers 400 and drops the connection.
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(Number(target.port), '127.0.0.1', () =>
              socket.end('GARBAGE \x00\x01\r\n\r\n'),
            );
            socket.on('error', () => resolve());
            socket.on('close', () => resolve());
            socket.resume();
          }),
        // A body cut off half-way.
        () =>
          new Promise<void>((resolve) => {
            const req = request(target, { method: 'POST', headers: { ...json, 'content-length': '40' } });
            req.on('error', () => resolve());
            req.on('close', () => resolve());
            req.write('[1,2,', () => setTimeout(() => req.destroy(), 1));
          }),
      ];
      let sent = 0;
      const worker = async () => {
        while (sent < 1_000) {
          const kind = malformed[sent++ % malformed.length]!;
          await kind();
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      agent.destroy();

      expect(provider.calls).toBe(0);
      expect(provider.active).toBe(0);
      expect(server.count(400)).toBeGreaterThanOrEqual(375);
      expect(server.count(413)).toBe(125);
      expect(server.count(404)).toBe(125);
      expect(server.count(405)).toBe(125);
      // A body cut off before the server parsed the headers never becomes a request at all.
      const cutOff = server.answers.filter((answer) => answer.status === undefined).length;
      expect(cutOff).toBeGreaterThan(0);
      expect(cutOff).toBeLessThanOrEqual(125);
      const good = await post(server.url, '42');
      expect(good.status).toBe(200);
      expect(await good.json()).toBe(42);
    });
  });

  describe('GET /credits', () => {
    it('leases the free room to the first client (lease, share, credit), grants each freed slot, and unsubscribes when the client goes', async () => {
      const gates = [latch(), latch()];
      const tracked = new TrackedService({ capacity: 3, handler: (n: number) => gates[n]!.promise });
      const { provider, counter } = countingSubscriptions(tracked);
      const server = await serve(provider);
      void tracked.do(0);
      void tracked.do(1);

      const stream = await listen(server.url);
      await eventually(() => stream.events.length === 3);
      expect(stream.events[0]).toMatchObject({ type: 'lease' });
      expect(stream.events[0]!.data).toMatch(/^[0-9a-f-]{36}$/);
      // This provider exposes no capacity: the share is the room the server accounts for.
      expect(stream.events.slice(1)).toEqual([
        { type: 'share', data: '1' },
        { type: 'credit', data: '1' },
      ]);
      expect(counter.subscribed).toBe(1);

      gates[0]!.resolve();
      gates[1]!.resolve();
      await eventually(() => stream.events.length === 7);
      expect(stream.events.slice(3)).toEqual([
        { type: 'share', data: '2' },
        { type: 'credit', data: '1' },
        { type: 'share', data: '3' },
        { type: 'credit', data: '1' },
      ]);

      stream.stop();
      await eventually(() => server.openStreams() === 0);
      expect(counter.subscribed).toBe(0);
    });

    it('holds no credits$ subscription for a client that left before a slow middleware called the handler', async () => {
      const tracked = new TrackedService({ capacity: 1, handler: async () => undefined });
      const { provider, counter } = countingSubscriptions(tracked);
      const handle = handshakeHandler(provider);
      let gone = false;
      const server = await serveOnLoopback((req, res) => {
        res.once('close', () => (gone = true));
        void eventually(() => gone).then(() => handle(req, res));
      });
      servers.push(server);
      const client = new AbortController();
      fetch(new URL('credits', server.url), { signal: client.signal }).catch(() => undefined);
      await eventually(() => server.requests.length === 1);
      client.abort();
      await eventually(() => gone);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(counter.subscribed).toBe(0);
    });

    it('writes a heartbeat comment every heartbeatInterval on the given scheduler', async () => {
      const scheduler = new VirtualTimeScheduler(VirtualAction, 40_000);
      const provider = new TrackedService({ capacity: 1, handler: async () => undefined });
      const { url } = await serve(provider, { scheduler, heartbeatInterval: 15_000 });
      const controller = new AbortController();
      const response = await fetch(new URL('credits', url), { signal: controller.signal });
      const reader = response.body!.getReader();
      let text = '';
      const reading = (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          text += new TextDecoder().decode(value);
        }
      })().catch(() => undefined);
      await eventually(() => text.includes('event: credit'));
      expect(text).not.toContain(': heartbeat');
      scheduler.flush();
      // Beats at 15 s and 30 s of virtual time; the next would be past the 40 s this scheduler runs.
      await eventually(() => text.split(': heartbeat').length === 3);
      controller.abort();
      await reading;
    });

    it('leases a credit of 0 when the provider is full', async () => {
      const gate = latch();
      const provider = new TrackedService({ capacity: 1, handler: () => gate.promise });
      const { url } = await serve(provider);
      void provider.do(undefined);
      const stream = await listen(url);
      await eventually(() => stream.events.length === 3);
      expect(stream.events[2]).toEqual({ type: 'credit', data: '0' });
      stream.stop();
      gate.resolve();
    });
  });

  describe('leases to several clients', () => {
    const creditOf = (events: SseEvent[]) =>
      events.reduce(
        (credit, { type, data }) =>
          type === 'credit'
            ? credit + Number(data)
            : type === 'revoke'
              ? Math.max(0, credit - Number(data))
              : credit,
        0,
      );
    const leaseOf = (events: SseEvent[]) => events.find((event) => event.type === 'lease')!.data;
    const postOn = (url: string, lease: string | undefined, body: string) =>
      post(url, body, lease === undefined ? {} : { headers: { ...json, 'x-lease': lease } });

    it('halves the shares when a second client joins, and takes back unused credit after revokeAfter', async () => {
      const provider = new TrackedService({ capacity: 4, handler: async (n: number) => n });
      const { url } = await serve(provider, { revokeAfter: 50 });
      const first = await listen(url);
      await eventually(() => creditOf(first.events) === 4);
      const second = await listen(url);
      await eventually(() => second.events.length === 3);
      expect(second.events.slice(1)).toEqual([
        { type: 'share', data: '2' },
        { type: 'credit', data: '0' },
      ]);
      await eventually(() => first.events.some((event) => event.type === 'share'));
      expect(first.events.at(-1)).toEqual({ type: 'share', data: '2' });
      // The first client sends nothing: after revokeAfter its unused credit above its share goes over.
      await eventually(() => creditOf(second.events) === 2);
      expect(first.events.at(-1)).toEqual({ type: 'revoke', data: '2' });
      expect(creditOf(first.events)).toBe(2);

      // When the second goes, its credit returns to the first at once.
      second.stop();
      await eventually(() => creditOf(first.events) === 4);
      expect(first.events.filter((event) => event.type === 'share').at(-1)).toEqual({
        type: 'share',
        data: '4',
      });
      first.stop();
    });

    it('admits a call on its lease, and refuses one without a lease while leases hold all the room, before reading its body', async () => {
      const gate = latch();
      const provider = new TrackedService({
        capacity: 2,
        handler: (n: number) => gate.promise.then(() => n),
      });
      const { url } = await serve(provider);
      const stream = await listen(url);
      await eventually(() => creditOf(stream.events) === 2);
      const lease = leaseOf(stream.events);

      // Headers only: the 503 comes although the body never does.
      const { port } = new URL(url);
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(
        'POST /do HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
      );
      const head = await new Promise<string>((resolve) =>
        socket.once('data', (chunk) => resolve(String(chunk))),
      );
      expect(head).toMatch(/^HTTP\/1\.1 503 /);
      expect(head).toMatch(/retry-after-ms: \d+/i);
      socket.destroy();

      const unknownLease = await postOn(url, 'no-such-lease', '1');
      expect(unknownLease.status).toBe(503);
      const leased = [postOn(url, lease, '1'), postOn(url, lease, '2')];
      await eventually(() => provider.active === 2);
      gate.resolve();
      expect(await Promise.all(leased.map(async (call) => (await call).json()))).toEqual([1, 2]);
      // Each freed slot goes back to the lease.
      await eventually(() => creditOf(stream.events) === 2);
      stream.stop();
    });

    it('gives back the credit of a call refused before the work ran (415, 400), as a credit event', async () => {
      const provider = new TrackedService({ capacity: 1, handler: async (n: number) => n });
      const { url } = await serve(provider);
      const stream = await listen(url);
      await eventually(() => creditOf(stream.events) === 1);
      const lease = leaseOf(stream.events);
      // Each call spends one credit; the server grants it back as the call is refused.
      const notJson = await post(url, '1', { headers: { 'content-type': 'text/plain', 'x-lease': lease } });
      expect(notJson.status).toBe(415);
      await eventually(() => creditOf(stream.events) === 2);
      const broken = await postOn(url, lease, '{');
      expect(broken.status).toBe(400);
      await eventually(() => creditOf(stream.events) === 3);
      expect(await (await postOn(url, lease, '7')).json()).toBe(7);
      stream.stop();
    });

    it('refuses credit streams beyond maxStreams with 503', async () => {
      const provider = new TrackedService({ capacity: 2, handler: async (n: number) => n });
      const server = await serve(provider, { maxStreams: 1 });
      const stream = await listen(server.url);
      const refused = await fetch(new URL('credits', server.url));
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      stream.stop();
      await eventually(() => server.openStreams() === 0);
      (await listen(server.url)).stop();
    });
  });

  describe('limits and hostile clients', () => {
    it('refuses a POST /do that is not application/json with 415 without running the work (a cross-site simple POST)', async () => {
      let ran = 0;
      const provider = new TrackedService({
        capacity: 1,
        handler: async (n: unknown) => {
          ran++;
          return n;
        },
      });
      const { url } = await serve(provider);
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ]) {
        const refused = await post(url, '1', { headers: { 'content-type': type } });
        expect(refused.status).toBe(415);
        expect((await refused.json()).message).toBe('POST /do takes Content-Type: application/json.');
      }
      expect((await post(url, '1', { headers: {} })).status).toBe(415);
      expect(ran).toBe(0);
      expect(
        (await post(url, '2', { headers: { 'content-type': 'Application/JSON; charset=utf-8' } })).status,
      ).toBe(200);
    });

    it('answers HEAD /ready like GET without a body, and marks every answer nosniff', async () => {
      const provider = new TrackedService({ capacity: 2, handler: async () => 1 });
      const { url } = await serve(provider);
      const head = await fetch(new URL('ready', url), { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('x-capacity')).toBe('2');
      expect(await head.text()).toBe('');
      for (const path of ['ready', 'nowhere/<script>', 'credits?x']) {
        const answer = await fetch(new URL(path, url), path === 'credits?x' ? { method: 'PUT' } : {});
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        await answer.body?.cancel();
      }
    });

    it('aborts the work and answers 504 after callTimeout, freeing the slot', async () => {
      let signal: AbortSignal | undefined;
      const provider = new TrackedService({
        capacity: 1,
        handler: (_n: unknown, given: AbortSignal) =>
          new Promise((_resolve, reject) => {
            signal = given;
            given.addEventListener('abort', () => reject(given.reason));
          }),
      });
      const { url } = await serve(provider, { callTimeout: 100 });
      const late = await post(url, '1');
      expect(late.status).toBe(504);
      expect((await late.json()).message).toBe('The call took longer than options.callTimeout (100 ms).');
      expect(signal?.aborted).toBe(true);
      expect((signal!.reason as DOMException).name).toBe('TimeoutError');
      await eventually(() => provider.active === 0);
      expect((await fetch(new URL('ready', url))).status).toBe(200);
    });

    it('answers 408 to a body that does not arrive within callTimeout, taking no slot', async () => {
      const provider = new TrackedService({ capacity: 1, handler: async (n: unknown) => n });
      const { url } = await serve(provider, { callTimeout: 100 });
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(
        'POST /do HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n[1,',
      );
      const head = await new Promise<string>((resolve) =>
        socket.once('data', (chunk) => resolve(String(chunk))),
      );
      expect(head).toMatch(/^HTTP\/1\.1 408 /);
      socket.destroy();
      expect(provider.active).toBe(0);
      expect(await (await post(url, '2')).json()).toBe(2);
    });

    it('gets its 413 to every one of ten clients uploading 10 MB, without EPIPE, and keeps serving', async () => {
      const provider = new TrackedService({ capacity: 2, handler: async (n: unknown) => n });
      const { url } = await serve(provider, { maxBodyBytes: 1_024 });
      const upload = Buffer.alloc(10 * 1_048_576, 0x31);
      const send = (chunked: boolean) =>
        new Promise<number | string>((resolve) => {
          const req = request(new URL('do', url), {
            method: 'POST',
            headers: { ...json, ...(chunked ? {} : { 'content-length': String(upload.length) }) },
          });
          req.on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
          req.on('close', () => finished++);
          req.end(upload);
        });
      let finished = 0;
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, index) => send(index % 2 === 0)));
      expect(outcomes).toEqual(Array(10).fill(413));
      // The server reads and drops the rest of each upload, so no client is left stuck writing it.
      await eventually(() => finished === 10, 4_000);
      expect(await (await post(url, '5')).json()).toBe(5);

      // On one connection: the refused upload in full, then another request, which is answered.
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      let received = '';
      let failure: string | undefined;
      socket.on('data', (chunk) => (received += String(chunk)));
      socket.on('error', (error: NodeJS.ErrnoException) => (failure = error.code));
      socket.write(
        `POST /do HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${upload.length}\r\n\r\n`,
      );
      socket.write(upload);
      socket.write(
        'POST /do HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1\r\n\r\n6',
      );
      await eventually(
        () => /HTTP\/1\.1 200 OK[\s\S]*\r\n\r\n6$/.test(received) || failure !== undefined,
        4_000,
      );
      expect(failure).toBeUndefined();
      expect(received).toMatch(/^HTTP\/1\.1 413 /);
      socket.destroy();
    });

    it('answers an endless refused upload with 413, then cuts its connection after 16 MiB', async () => {
      const provider = new TrackedService({ capacity: 1, handler: async (n: unknown) => n });
      const { url } = await serve(provider, { maxBodyBytes: 1_024 });
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      let received = '';
      let closed = false;
      socket.on('data', (chunk) => (received += String(chunk)));
      socket.on('error', () => undefined);
      socket.on('close', () => (closed = true));
      socket.write(
        'POST /do HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      const chunk = Buffer.alloc(1_048_576, 0x31);
      const frame = Buffer.concat([
        Buffer.from(`${chunk.length.toString(16)}\r\n`),
        chunk,
        Buffer.from('\r\n'),
      ]);
      for (let sent = 0; sent < 64 && !closed; sent++) {
        if (!socket.write(frame)) {
          // Whichever comes first; the other listener goes too, or 64 waits would pile up on the socket.
          await new Promise<void>((resolve) => {
            const done = (): void => {
              socket.off('drain', done).off('close', done);
              resolve();
            };
            socket.once('drain', done).once('close', done);
          });
        }
      }
      await eventually(() => closed, 4_000);
      expect(received).toMatch(/^HTTP\/1\.1 413 /);
    });

    describe('CORS', () => {
      const origin = 'https://app.example';

      it('answers a preflight from an allowed origin, without credentials unless allowed, and refuses others', async () => {
        const provider = new TrackedService({ capacity: 1, handler: async (n: unknown) => n });
        const { url } = await serve(provider, { cors: { origins: [origin], maxAge: 60 } });
        const preflight = await fetch(new URL('do', url), {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
        expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
        expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type, x-lease');
        expect(preflight.headers.get('access-control-max-age')).toBe('60');
        expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
        expect(preflight.headers.get('vary')).toBe('Origin');

        const actual = await post(url, '3', { headers: { ...json, origin } });
        expect(actual.headers.get('access-control-allow-origin')).toBe(origin);
        expect(actual.headers.get('access-control-expose-headers')).toContain('retry-after-ms');

        const stranger = await fetch(new URL('do', url), {
          method: 'OPTIONS',
          headers: { origin: 'https://evil.example' },
        });
        expect(stranger.status).toBe(403);
        expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
      });

      it('sends credentials and the exact origin only when allowed, and nothing without the option', async () => {
        const provider = new TrackedService({ capacity: 1, handler: async (n: unknown) => n });
        const withCredentials = await serve(provider, { cors: { origins: '*', credentials: true } });
        const ready = await fetch(new URL('ready', withCredentials.url), { headers: { origin } });
        expect(ready.headers.get('access-control-allow-origin')).toBe(origin);
        expect(ready.headers.get('access-control-allow-credentials')).toBe('true');

        const anyOrigin = await serve(provider, { cors: { origins: '*' } });
        const open = await fetch(new URL('ready', anyOrigin.url), { headers: { origin } });
        expect(open.headers.get('access-control-allow-origin')).toBe('*');

        const none = await serve(provider);
        const plain = await fetch(new URL('ready', none.url), { headers: { origin } });
        expect(plain.headers.get('access-control-allow-origin')).toBeNull();
        expect(
          (await fetch(new URL('do', none.url), { method: 'OPTIONS', headers: { origin } })).status,
        ).toBe(405);
      });
    });
  });

  describe('pipelined requests on a connection that goes away', () => {
    /** Opens a raw connection, writes `requests` in one go (pipelined), and resolves once connected. */
    async function pipeline(url: string, requests: string[]) {
      const { port } = new URL(url);
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.resume();
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(requests.join(''));
      return socket;
    }
    const postDo = (body: string) =>
      `POST /do HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const getCredits = 'GET /credits HTTP/1.1\r\nHost: x\r\n\r\n';

    it('aborts and frees every pipelined POST /do of a connection that closes, not only the first', async () => {
      const aborted: unknown[] = [];
      const provider = new TrackedService({
        capacity: 16,
        handler: (_req: unknown, signal: AbortSignal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              aborted.push(signal.reason);
              reject(signal.reason);
            });
          }),
      });
      const { url } = await serve(provider);
      for (let round = 1; round <= 3; round++) {
        const socket = await pipeline(url, ['1', '2', '3', '4'].map(postDo));
        await eventually(() => provider.active === 4);
        socket.destroy();
        await eventually(() => provider.active === 0);
        expect(aborted).toHaveLength(4 * round);
      }
      expect((await fetch(new URL('ready', url))).status).toBe(200);
    });

    it('ends every subscription of pipelined GET /credits on connections that close', async () => {
      const tracked = new TrackedService({ capacity: 4, handler: async (n: number) => n });
      const { provider, counter } = countingSubscriptions(tracked);
      const server = await serve(provider);
      for (let round = 0; round < 3; round++) {
        const sockets = await Promise.all(
          Array.from({ length: 40 }, () => pipeline(server.url, Array(5).fill(getCredits))),
        );
        await eventually(() => server.requests.length === 200 * (round + 1));
        for (const socket of sockets) socket.destroy();
        await eventually(() => counter.subscribed === 0);
      }
      expect(await (await post(server.url, '7')).json()).toBe(7);
    });
  });

  describe('under load', () => {
    it('never runs more than capacity at once under 10,000 requests from 64 concurrent clients', async () => {
      const capacity = 8;
      let running = 0;
      let most = 0;
      const provider = new TrackedService({
        capacity,
        handler: async (n: number) => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, n % 3));
          running--;
          return n;
        },
      });
      const { url } = await serve(provider as HandshakeProvider<unknown, unknown>, { retryAfter: 0 });
      const agent = new Agent({ keepAlive: true, maxSockets: 64 });
      const target = new URL('do', url);
      const total = 10_000;
      const statuses = new Map<number, number>();
      const call = (n: number) =>
        new Promise<number>((resolve, reject) => {
          const body = String(n);
          const req = request(
            target,
            { method: 'POST', agent, headers: { ...json, 'content-length': String(body.length) } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      let next = 0;
      const client = async () => {
        while (next < total) {
          const status = await call(next++);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: 64 }, client));
      const duration = Math.round(performance.now() - started);
      agent.destroy();

      const refused = statuses.get(503) ?? 0;
      console.info(
        `load test: ${total} requests from 64 clients at capacity ${capacity}: ${statuses.get(200) ?? 0} served, ${refused} refused with 503, at most ${most} running at once, ${duration} ms`,
      );
      expect((statuses.get(200) ?? 0) + refused).toBe(total);
      expect(most).toBeLessThanOrEqual(capacity);
      expect(most).toBe(capacity);
      expect(refused).toBeGreaterThan(0);
      expect(provider.active).toBe(0);
    }, 60_000);
  });
});
