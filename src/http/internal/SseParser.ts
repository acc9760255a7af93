/** One server-sent event: its type (`'message'` when the server named none) and its data. */
export interface SseEvent {
  readonly type: string;
  readonly data: string;
}

/**
 * Parses a `text/event-stream` as the HTML standard defines it, from text chunks that may split
 * lines (and even a CRLF pair) anywhere. Lines end in CRLF, LF or CR; a blank line dispatches the
 * event; lines starting with `:` are comments (heartbeats). Only `event` and `data` matter here: `id`
 * and `retry` steer the browser's `EventSource` reconnection, which `RemoteService` does itself.
 */
export class SseParser {
  readonly #onEvent: (event: SseEvent) => void;
  #buffer = '';
  #type = '';
  #data: string[] = [];

  constructor(onEvent: (event: SseEvent) => void) {
    this.#onEvent = onEvent;
  }

  /** Feeds the next chunk of text; dispatches every event it completes. */
  push(text: string): void {
    const buffer = this.#buffer + text;
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf('\n', start);
      const cr = buffer.indexOf('\r', start);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) break;
      const isCr = buffer[end] === '\r';
      // A CR that ends the chunk may be the first half of a CRLF: wait for the next chunk to tell.
      if (isCr && end + 1 === buffer.length) break;
      this.#line(buffer.slice(start, end));
      start = end + (isCr && buffer[end + 1] === '\n' ? 2 : 1);
    }
    this.#buffer = buffer.slice(start);
  }

  #line(line: string): void {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#type = value;
    else if (field === 'data') this.#data.push(value);
  }

  #dispatch(): void {
    const data = this.#data;
    const type = this.#type;
    this.#data = [];
    this.#type = '';
    if (data.length > 0) this.#onEvent({ type: type === '' ? 'message' : type, data: data.join('\n') });
  }
}
