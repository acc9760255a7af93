import { asyncScheduler, type SchedulerLike, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CallTimeoutError,
  HttpStatusError,
  httpService,
  isBackpressureError,
  ServiceAtCapacityError,
} from '../../src/index.js';
import { eventually, type LoopbackServer, serveOnLoopback } from '../http/serveOnLoopback.js';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: Parameters<typeof serveOnLoopback>[0]): Promise<LoopbackServer> {
  const server = await serveOnLoopback(handler);
  servers.push(server);
  return server;
}

/** A clock fixed at one moment, with real timers. */
function clockAt(now: number): SchedulerLike {
  return { now: () => now, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
}

describe('httpService', () => {
  it('resolves with read(response) for a success, and the Response itself by default', async () => {
    const server = await serve((req, res) => res.end(`hello ${req.url}`));
    const text = httpService(server.url, { read: (response) => response.text() });
    await expect(text.do('items/7')).resolves.toBe('hello /items/7');
    const raw = await httpService(server.url).do('/plain');
    expect(raw.status).toBe(200);
    expect(await raw.text()).toBe('hello /plain');
  });

  it('turns 503 and 429 into ServiceAtCapacityError, with Retry-After in seconds or as an HTTP-date', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/seconds') res.writeHead(503, { 'Retry-After': '2' });
      else if (req.url === '/date') res.writeHead(429, { 'Retry-After': 'Wed, 06 Nov 2024 08:49:37 GMT' });
      else res.writeHead(503);
      res.end('busy');
    });
    const api = httpService(server.url, { scheduler: clockAt(Date.UTC(2024, 10, 6, 8, 49, 30)) });
    const seconds = await api.do('/seconds').catch((error: unknown) => error);
    expect(seconds).toBeInstanceOf(ServiceAtCapacityError);
    expect((seconds as ServiceAtCapacityError).retryAfter).toBe(2_000);
    const none = await api.do('/none').catch((error: unknown) => error);
    expect((none as ServiceAtCapacityError).retryAfter).toBeUndefined();
    const date = await api.do('/date').catch((error: unknown) => error);
    expect((date as ServiceAtCapacityError).retryAfter).toBe(7_000);
    // A 429 says the quota is spent: nothing more is sent until its Retry-After has passed.
    expect(api.isReady()).toBe(false);
    await expect(api.do('/seconds')).rejects.toMatchObject({
      code: 'ERR_SERVICE_AT_CAPACITY',
      retryAfter: 7_000,
    });
    expect(server.requests).toEqual(['/seconds', '/none', '/date']);
  });

  it('fails other statuses with an HttpStatusError: retryable for 5xx, not for 4xx', async () => {
    const server = await serve((req, res) => {
      res.writeHead(Number(req.url?.slice(1)));
      res.end();
    });
    const api = httpService(server.url);
    const serverError = await api.do('/500').catch((error: unknown) => error);
    expect(serverError).toBeInstanceOf(HttpStatusError);
    expect(serverError).toMatchObject({ code: 'ERR_HTTP_STATUS', status: 500, retryable: true });
    expect((serverError as HttpStatusError).url).toBe(`${server.url}500`);
    await expect(api.do('/404')).rejects.toMatchObject({ status: 404, retryable: false });
    await expect(api.do('/302')).resolves.toMatchObject({ status: 302 });
  });

  it('refuses at once beyond capacity and announces freed room on credits$', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = await serve((_req, res) => {
      void held.then(() => res.end('ok'));
    });
    const api = httpService(server.url, { capacity: 2 });
    const grants: number[] = [];
    api.credits$.subscribe((room) => grants.push(room));
    const first = api.do('a');
    const second = api.do('b');
    expect([api.isReady(), api.active, api.capacity]).toEqual([false, 2, 2]);
    await expect(api.do('c')).rejects.toBeInstanceOf(ServiceAtCapacityError);
    release();
    await Promise.all([first, second]);
    await eventually(() => grants.length === 3);
    expect(grants).toEqual([2, 1, 1]);
  });

  it('aborts a request that takes longer than timeout, freeing its slot, and passes on the caller’s abort', async () => {
    const server = await serve(() => undefined);
    const api = httpService(server.url, { capacity: 1, timeout: 50 });
    await expect(api.do('slow')).rejects.toBeInstanceOf(CallTimeoutError);
    expect(api.active).toBe(0);
    await eventually(() => server.answers.length === 1);
    expect(server.answers[0]?.status).toBeUndefined();
    const caller = new AbortController();
    const aborted = api.do('slow', caller.signal);
    caller.abort(new Error('caller left'));
    await expect(aborted).rejects.toThrow('caller left');
  });

  it('takes a fetch-shaped function, and checks what it resolves with', async () => {
    const sent: [number, AbortSignal][] = [];
    const api = httpService(async (id: number, signal) => {
      sent.push([id, signal]);
      return new Response(`order ${id}`);
    });
    const response = await api.do(7);
    expect(await response.text()).toBe('order 7');
    expect(sent[0]?.[1]).toBeInstanceOf(AbortSignal);
    const broken = httpService(async () => 'not a response' as unknown as Response);
    await expect(broken.do(1)).rejects.toThrow(
      "The request must resolve with a Response, got 'not a response'",
    );
  });

  it('refuses a bad target, unknown options and a request that is not a string, naming them', async () => {
    expect(() => httpService(42 as unknown as string)).toThrow(
      'httpService(target): target must be a URL, a string or a fetch-shaped function, got 42',
    );
    expect(() => httpService('not a url')).toThrow("target must be an absolute URL, got 'not a url'");
    expect(() => httpService('http://127.0.0.1/', { capacty: 2 } as never)).toThrow(
      /options\.capacty is not an option here; the options are capacity, timeout/,
    );
    expect(() => httpService('http://127.0.0.1/', { capacity: -1 })).toThrow(RangeError);
    expect(() => httpService('http://127.0.0.1/', { timeout: 0 })).toThrow(RangeError);
    const api = httpService('http://127.0.0.1/');
    await expect(api.do(42 as unknown as string)).rejects.toThrow('req must be a path or URL string, got 42');
  });
});

describe('httpService: quotas', () => {
  /** A fetch that answers with the quota headers `headers()` gives for each request. */
  function quotaApi(headers: () => Record<string, string>, scheduler: SchedulerLike, capacity = 10) {
    let sent = 0;
    const api = httpService(
      async () => {
        sent++;
        return new Response('ok', { headers: headers() });
      },
      { scheduler, capacity },
    );
    return { api, sent: () => sent };
  }

  it('spends the remaining quota per request, is not ready at zero, and grants the room at the reset', async () => {
    const scheduler = new VirtualTimeScheduler();
    let remaining = 3;
    const { api, sent } = quotaApi(
      () => ({
        RateLimit: `"default";r=${--remaining};t=${(10_000 - scheduler.now()) / 1000}`,
        'RateLimit-Policy': '"default";q=3;w=10',
      }),
      scheduler,
    );
    const grants: number[] = [];
    api.credits$.subscribe((room) => grants.push(room));
    await api.do('a');
    await api.do('b');
    expect(api.isReady()).toBe(true);
    await api.do('c');
    expect(api.isReady()).toBe(false);
    const refused = await api.do('d').catch((error: unknown) => error);
    expect(isBackpressureError(refused) && refused.code).toBe('ERR_SERVICE_AT_CAPACITY');
    expect((refused as ServiceAtCapacityError).retryAfter).toBe(10_000);
    expect(sent()).toBe(3);
    const before = grants.length;
    scheduler.flush();
    expect(scheduler.now()).toBe(10_000);
    expect(grants.slice(before)).toEqual([10]);
    expect(api.isReady()).toBe(true);
  });

  it('counts requests still in flight against the quota an answer announces', async () => {
    const scheduler = new VirtualTimeScheduler();
    const answers: ((response: Response) => void)[] = [];
    const api = httpService(() => new Promise<Response>((resolve) => answers.push(resolve)), {
      scheduler,
    });
    const calls = [api.do('a'), api.do('b'), api.do('c')];
    // The first answer says 2 are left: the two still in flight will take them.
    answers[0]?.(new Response('ok', { headers: { 'X-RateLimit-Remaining': '2', 'X-RateLimit-Reset': '5' } }));
    await calls[0];
    expect(api.isReady()).toBe(false);
    answers[1]?.(new Response('ok'));
    answers[2]?.(new Response('ok'));
    await Promise.all(calls);
    expect(api.isReady()).toBe(false);
    scheduler.schedule(() => undefined, 5_000);
    scheduler.flush();
    expect(api.isReady()).toBe(true);
  });

  it('waits for a reset 25 days away with timers no longer than 2^31 - 1 ms', async () => {
    const scheduler = new VirtualTimeScheduler();
    const { api } = quotaApi(
      () => ({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '2200000' }),
      scheduler,
    );
    api.credits$.subscribe();
    await api.do('a');
    expect(api.isReady()).toBe(false);
    expect(scheduler.actions.map((action) => action.delay)).toEqual([2 ** 31 - 1]);
  });

  it('does not block on a quota that tells no reset time', async () => {
    const scheduler = new VirtualTimeScheduler();
    const { api } = quotaApi(() => ({ 'X-RateLimit-Remaining': '0' }), scheduler);
    await api.do('a');
    expect(api.isReady()).toBe(true);
  });
});
