import type { SchedulerLike } from 'rxjs';
import { describeValue, knownOptions, numberOption } from '../../core/validation.js';
import { schedulerOption } from '../../internal/schedulerOption.js';
import type { RemoteServiceOptions } from '../RemoteServiceOptions.js';
import { httpProtocol } from './httpProtocol.js';

/**
 * The options of one `RemoteService`, checked when it is constructed and with their defaults in: the
 * endpoints' URLs resolved, `fetch` wrapped so that it is always called the same safe way.
 */
export interface RemoteSettings {
  readonly doUrl: URL;
  readonly creditsUrl: URL;
  readonly fetch: typeof fetch;
  readonly timeout: number | undefined;
  readonly scheduler: SchedulerLike;
}

const optionKeys = ['url', 'fetch', 'timeout', 'scheduler'];

/** `options.url` as the base the endpoints resolve against: absolute, http(s), ending in `/`. */
function baseUrl(url: unknown): URL {
  if (typeof url !== 'string') {
    throw new TypeError(`options.url must be a string, got ${describeValue(url)}.`);
  }
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new TypeError(`options.url must be an absolute http: or https: URL, got ${describeValue(url)}.`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`options.url must be an absolute http: or https: URL, got ${describeValue(url)}.`);
  }
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  return base;
}

/** Checks the options of `RemoteService` (see `RemoteServiceOptions`), refusing unknown keys. */
export function resolveRemoteServiceOptions(options: RemoteServiceOptions): RemoteSettings {
  const given = knownOptions(options, optionKeys, 'options');
  const base = baseUrl(given.url);
  const fetchFn = given.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') {
    throw new TypeError(
      `options.fetch must be a function${given.fetch === undefined ? ' (there is no global fetch here)' : ''}, got ${describeValue(fetchFn)}.`,
    );
  }
  return {
    doUrl: new URL(httpProtocol.doPath.slice(1), base),
    creditsUrl: new URL(httpProtocol.creditsPath.slice(1), base),
    // Called as a plain function (browsers refuse a fetch whose `this` is not the global object), and
    // inside a promise, so a fetch that throws at once still fails later, never in the middle of a
    // broadcast on credits$ that led to the call.
    fetch: (input, init) => new Promise((resolve) => resolve(fetchFn(input, init))),
    timeout:
      given.timeout === undefined
        ? undefined
        : numberOption(
            given.timeout,
            'options.timeout',
            'a positive finite number of milliseconds',
            (n) => n > 0 && Number.isFinite(n),
          ),
    scheduler: schedulerOption(given.scheduler, 'options.scheduler'),
  };
}
