import { Observable } from 'rxjs';
import { RemoteServiceError } from '../RemoteServiceError.js';
import { abortAfter } from './abortAfter.js';
import { httpProtocol } from './httpProtocol.js';
import { parseCount } from './parseCount.js';
import { SseParser } from './SseParser.js';

/** An event of the credit stream: the free room when the connection opened, or a later grant. */
export interface CreditStreamEvent {
  readonly kind: 'room' | 'credit';
  readonly amount: number;
}

/**
 * One connection to a handshake server's `/credits` stream, as an Observable: subscribing opens it,
 * unsubscribing aborts it. It errors when the connection fails or ends (the stream never ends on its
 * own), with a {@link RemoteServiceError} when the server answers with an error status or breaks the
 * protocol (the first event must be `room`, amounts must be counts). Reconnecting is the caller's
 * business. `timeout` bounds the wait for the answer's headers, not the life of the stream.
 */
export function creditStream(
  url: URL,
  fetchFn: typeof fetch,
  timeout: number | undefined,
): Observable<CreditStreamEvent> {
  return new Observable<CreditStreamEvent>((subscriber) => {
    const controller = new AbortController();
    const timer = abortAfter(controller, timeout, `GET ${url.href} did not answer within ${timeout} ms.`);
    const broken = (why: string): RemoteServiceError =>
      new RemoteServiceError(200, `GET ${url.href} does not speak the credit-stream protocol: ${why}.`);

    const read = async (): Promise<void> => {
      const response = await fetchFn(url, {
        headers: { accept: httpProtocol.eventStreamType },
        cache: 'no-store',
        signal: controller.signal,
      });
      clearTimeout(timer);
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
      const parser = new SseParser(({ type: event, data }) => {
        if (violation !== undefined || subscriber.closed) return;
        if (event !== httpProtocol.roomEvent && event !== httpProtocol.creditEvent) return;
        const amount = parseCount(data);
        if (amount === undefined) {
          violation = broken(`the ${event} event carries '${data}', not a count`);
        } else if (first !== (event === httpProtocol.roomEvent)) {
          violation = broken(first ? `it began with a ${event} event` : `a second ${event} event came`);
        } else {
          first = false;
          subscriber.next({ kind: event === httpProtocol.roomEvent ? 'room' : 'credit', amount });
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
      clearTimeout(timer);
      subscriber.error(controller.signal.aborted ? controller.signal.reason : error);
    });
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  });
}
