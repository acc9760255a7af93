import { Observable, type SchedulerLike } from 'rxjs';
import { RemoteServiceError } from '../RemoteServiceError.js';
import { abortAfter } from './abortAfter.js';
import { httpProtocol } from './httpProtocol.js';
import { parseCount } from './parseCount.js';
import { SseParser } from './SseParser.js';

/** An event of the credit stream (see `httpProtocol`), checked. */
export type CreditStreamEvent =
  | { readonly kind: 'lease'; readonly lease: string }
  | { readonly kind: 'share'; readonly share: number }
  | { readonly kind: 'credit'; readonly amount: number }
  | { readonly kind: 'revoke'; readonly amount: number };

const decimal = /^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?$/;

/** A share as the protocol writes it (`String(n)`): a non-negative number or `Infinity`. */
function parseShare(text: string): number | undefined {
  if (text === 'Infinity') return Number.POSITIVE_INFINITY;
  return decimal.test(text) ? Number(text) : undefined;
}

/** The event an SSE event means, a string saying how it breaks the protocol, or `undefined` to ignore it. */
function eventOf(type: string, data: string): CreditStreamEvent | string | undefined {
  switch (type) {
    case httpProtocol.leaseEvent:
      return data === '' ? 'the lease event names no lease' : { kind: 'lease', lease: data };
    case httpProtocol.shareEvent: {
      const share = parseShare(data);
      return share === undefined
        ? `the share event carries '${data}', not a number`
        : { kind: 'share', share };
    }
    case httpProtocol.creditEvent:
    case httpProtocol.revokeEvent: {
      const amount = parseCount(data);
      if (amount === undefined) return `the ${type} event carries '${data}', not a count`;
      return { kind: type === httpProtocol.creditEvent ? 'credit' : 'revoke', amount };
    }
    default:
      // Events of later versions of the protocol: a client that does not know them goes on without.
      return undefined;
  }
}

/**
 * One connection to a handshake server's `/credits` stream, as an Observable: subscribing opens it,
 * unsubscribing aborts it. It errors when the connection fails or ends (the stream never ends on its
 * own), with a {@link RemoteServiceError} when the server answers with an error status or breaks the
 * protocol (the first event must be `lease`, and only the first; amounts must be counts). Reconnecting is the caller's
 * business. `timeout` bounds the wait for the answer's headers, not the life of the stream.
 */
export function creditStream(
  url: URL,
  fetchFn: typeof fetch,
  timeout: number | undefined,
  scheduler: SchedulerLike,
): Observable<CreditStreamEvent> {
  return new Observable<CreditStreamEvent>((subscriber) => {
    const controller = new AbortController();
    const timer = abortAfter(
      controller,
      timeout,
      `GET ${url.href} did not answer within ${timeout} ms.`,
      scheduler,
    );
    const broken = (why: string): RemoteServiceError =>
      new RemoteServiceError(200, `GET ${url.href} does not speak the credit-stream protocol: ${why}.`);

    const read = async (): Promise<void> => {
      const response = await fetchFn(url, {
        headers: { accept: httpProtocol.eventStreamType },
        cache: 'no-store',
        signal: controller.signal,
      });
      timer?.unsubscribe();
      if (!response.ok) {
        await response.body?.cancel();
        throw new RemoteServiceError(response.status, `GET ${url.href} answered ${response.status}.`);
      }
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith(httpProtocol.eventStreamType) || response.body === null) {
        await response.body?.cancel();
        throw broken(`the answer is ${type === '' ? 'untyped' : type}, not ${httpProtocol.eventStreamType}`);
      }
      let first = true;
      let violation: RemoteServiceError | undefined;
      const parser = new SseParser(({ type, data }) => {
        if (violation !== undefined || subscriber.closed) return;
        const event = eventOf(type, data);
        if (event === undefined) return;
        if (typeof event === 'string') {
          violation = broken(event);
        } else if (first !== (event.kind === 'lease')) {
          violation = broken(first ? `it began with a ${type} event` : `a second ${type} event came`);
        } else {
          first = false;
          subscriber.next(event);
        }
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`GET ${url.href}: the credit stream ended.`);
        parser.push(decoder.decode(value, { stream: true }));
        if (violation !== undefined) {
          await reader.cancel();
          throw violation;
        }
      }
    };
    read().catch((error: unknown) => {
      timer?.unsubscribe();
      subscriber.error(controller.signal.aborted ? controller.signal.reason : error);
    });
    return () => {
      timer?.unsubscribe();
      controller.abort();
    };
  });
}
