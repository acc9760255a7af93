import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import type { AnswerHeaders, AnswerWriter } from './AnswerWriter.js';
import { httpProtocol } from './httpProtocol.js';
import type { Lease } from './Lease.js';
import type { LeaseBook } from './LeaseBook.js';
import { LeaseStream } from './LeaseStream.js';
import { onClientGone } from './onClientGone.js';
import type { HandshakeSettings } from './resolveHandshakeOptions.js';

/** What the streams use of the handler's answers: they answer only a refusal or a failure. */
type StreamAnswers = Pick<AnswerWriter<unknown>, 'answer' | 'refuse'>;
/** What the streams use of the handler's options. */
type StreamSettings = Pick<
  HandshakeSettings<unknown, unknown>,
  'maxStreams' | 'heartbeatInterval' | 'scheduler'
>;

/**
 * The open `GET /credits` streams of one handler: each is a lease of the book, closed (its credit
 * given back) when the client leaves or the answer ends, and all of them kept alive by one heartbeat
 * timer, which runs only while a stream is open.
 */
export class CreditStreams {
  readonly #leases: LeaseBook;
  readonly #answers: StreamAnswers;
  readonly #settings: StreamSettings;
  readonly #streams = new Set<LeaseStream>();
  #heartbeat: Subscription | undefined;

  constructor(leases: LeaseBook, answers: StreamAnswers, settings: StreamSettings) {
    this.#leases = leases;
    this.#answers = answers;
    this.#settings = settings;
  }

  /** Serves one `GET /credits`: opens its lease and stream, or refuses it (503) beyond `maxStreams`. */
  serve(req: IncomingMessage, res: ServerResponse, headers: AnswerHeaders): void {
    // Behind async middleware the client may be gone already: nothing would end the lease.
    if (res.destroyed || req.socket.destroyed) return;
    if (this.#leases.size >= this.#settings.maxStreams) {
      this.#answers.refuse(res, headers, undefined);
      return;
    }
    const stream = new LeaseStream(res);
    const lease = this.#leases.open(stream);
    if (lease === undefined) {
      this.#answers.answer(res, headers, 500, { message: 'The provider has no credit signal to lease.' });
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': `${httpProtocol.eventStreamType}; charset=utf-8`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // Tells nginx-like proxies not to hold events back in a buffer.
      'x-accel-buffering': 'no',
    });
    stream.open(lease.id, lease.share, lease.credit);
    this.#streams.add(stream);
    this.#beat();
    onClientGone(req, res, () => this.#close(lease, stream));
    res.once('finish', () => this.#close(lease, stream));
  }

  #close(lease: Lease, stream: LeaseStream): void {
    if (!this.#streams.delete(stream)) return;
    this.#leases.close(lease);
    stream.end();
    if (this.#streams.size === 0) {
      this.#heartbeat?.unsubscribe();
      this.#heartbeat = undefined;
    }
  }

  #beat(): void {
    if (this.#heartbeat !== undefined) return;
    const streams = this.#streams;
    const { heartbeatInterval: interval, scheduler } = this.#settings;
    this.#heartbeat = scheduler.schedule(function beat() {
      for (const stream of streams) stream.heartbeat();
      this.schedule(undefined, interval);
    }, interval);
  }
}
