import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from '../../../src/http/internal/SseParser.js';

function parse(...chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

describe('SseParser', () => {
  it('dispatches an event at each blank line, with its type and its data lines joined', () => {
    expect(parse('event: room\ndata: 8\n\nevent: credit\ndata: 1\n\ndata: a\ndata:b\n\n')).toEqual([
      { type: 'room', data: '8' },
      { type: 'credit', data: '1' },
      { type: 'message', data: 'a\nb' },
    ]);
  });

  it('accepts CRLF, LF and CR line ends, even a CRLF split between chunks', () => {
    expect(parse('data: 1\r\n\r\ndata: 2\r\rdata: 3\r', '\n\r\n')).toEqual([
      { type: 'message', data: '1' },
      { type: 'message', data: '2' },
      { type: 'message', data: '3' },
    ]);
  });

  it('skips comments, unknown fields and events without data, and holds an unfinished event back', () => {
    expect(parse(': heartbeat\n\nid: 7\nretry: 10\nevent: room\n\nevent: credit\ndata: 2')).toEqual([]);
    expect(parse('event: credit\ndata: 2\n', '\n')).toEqual([{ type: 'credit', data: '2' }]);
  });

  it('parses the same events however the stream is cut into chunks (property)', () => {
    const line = fc.constantFrom('event: room', 'event: credit', 'data: 5', 'data:', ': ping', 'id: 1', '');
    const stream = fc
      .tuple(fc.array(line, { maxLength: 20 }), fc.constantFrom('\n', '\r\n', '\r'))
      .map(([lines, end]) => lines.map((text) => text + end).join(''));
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 10 }), (text, cuts) => {
        const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, index) => text.slice(start, points[index] ?? text.length));
        expect(parse(...chunks)).toEqual(parse(text));
      }),
    );
  });
});
