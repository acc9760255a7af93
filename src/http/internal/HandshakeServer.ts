import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import type { HandshakeProvider } from 'rxjs-backpressure';
import { describeValue } from '../../core/validation.js';
import { type AnswerHeaders, AnswerWriter } from './AnswerWriter.js';
import { CreditStreams } from './CreditStreams.js';
import { corsHeaders } from './corsHeaders.js';
import { httpProtocol } from './httpProtocol.js';
import { LeaseBook } from './LeaseBook.js';
import { providerLoad } from './providerLoad.js';
import type { HandshakeSettings } from './resolveHandshakeOptions.js';
import { type CallSite, serveCall } from './serveCall.js';

const allowedMethods: Readonly<Record<string, string>> = {
  [httpProtocol.readyPath]: 'GET, HEAD',
  [httpProtocol.doPath]: 'POST',
  [httpProtocol.creditsPath]: 'GET',
};

/**
 * What one `handshakeHandler` serves: it routes each request to its endpoint (`/ready` here, `/do` to
 * `serveCall`, `/credits` to the `CreditStreams`), answers CORS preflights, and refuses unknown paths
 * and methods. The endpoints share the provider, its lease book and the answer writer.
 */
export class HandshakeServer<Req, Res> {
  readonly #site: CallSite<Req, Res>;
  readonly #streams: CreditStreams;

  constructor(
    provider: HandshakeProvider<Req, Res>,
    credits: Observable<number>,
    settings: HandshakeSettings<Req, Res>,
  ) {
    const leases = new LeaseBook(credits, {
      load: () => providerLoad(provider),
      scheduler: settings.scheduler,
      revokeAfter: settings.revokeAfter,
    });
    const answers = new AnswerWriter(provider, settings.encode, settings.retryAfterMs);
    this.#site = { provider, leases, settings, answers };
    this.#streams = new CreditStreams(leases, answers, settings);
  }

  /** Serves one request; an error thrown while serving it is its answer (500). */
  handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.#route(req, res);
    } catch (error) {
      this.#site.answers.fail(res, {}, 500, error);
    }
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const { answers, settings } = this.#site;
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const method = req.method ?? 'GET';
    const headers = corsHeaders(req, settings.cors);
    const allowed = allowedMethods[path];
    if (allowed === undefined) {
      answers.answer(res, headers, 404, {
        message: `No such endpoint: ${describeValue(path)}; there are ${httpProtocol.readyPath}, ${httpProtocol.doPath} and ${httpProtocol.creditsPath}.`,
      });
    } else if (method === 'OPTIONS' && settings.cors !== undefined) {
      this.#preflight(req, res, headers, allowed);
    } else if (path === httpProtocol.readyPath && (method === 'GET' || method === 'HEAD')) {
      this.#ready(res, headers, method === 'HEAD');
    } else if (path === httpProtocol.doPath && method === 'POST') {
      serveCall(this.#site, req, res, headers);
    } else if (path === httpProtocol.creditsPath && method === 'GET') {
      this.#streams.serve(req, res, headers);
    } else {
      answers.answer(res, { ...headers, allow: allowed }, 405, {
        message: `${path} takes ${allowed}, not ${describeValue(method)}.`,
      });
    }
  }

  #ready(res: ServerResponse, headers: AnswerHeaders, head: boolean): void {
    const { provider, answers } = this.#site;
    if (provider.isReady()) answers.ready(res, headers, head);
    else answers.refuse(res, headers, undefined, { ready: false }, head);
  }

  #preflight(req: IncomingMessage, res: ServerResponse, headers: AnswerHeaders, allowed: string): void {
    const { answers, settings } = this.#site;
    if (headers['access-control-allow-origin'] === undefined) {
      answers.answer(res, headers, 403, {
        message: `The origin ${describeValue(req.headers.origin ?? '')} may not call this handler.`,
      });
      return;
    }
    answers.send(
      res,
      {
        ...headers,
        'access-control-allow-methods': allowed,
        'access-control-allow-headers': `content-type, ${httpProtocol.leaseHeader}`,
        'access-control-max-age': String(settings.cors?.maxAge ?? 0),
      },
      204,
      undefined,
    );
  }
}
