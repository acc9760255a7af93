import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BackpressureError } from '../../../src/errors/BackpressureError.js';
import { tieToNodeStream } from '../../../src/sources/internal/tieToNodeStream.js';

/** An event emitter standing in for a Node.js stream, counting its destroy() calls. */
class FakeStream extends EventEmitter {
  destroyCalls = 0;
  destroy(): void {
    this.destroyCalls++;
  }
  listening(): number {
    return this.eventNames().reduce((count, event) => count + this.listenerCount(event), 0);
  }
}

/** A subscriber recording how it was settled. */
function recordingSubscriber() {
  const settled: { completed: boolean; errors: unknown[] } = { completed: false, errors: [] };
  const subscriber = {
    complete: () => {
      settled.completed = true;
    },
    error: (error: unknown) => {
      settled.errors.push(error);
    },
  };
  return { subscriber, settled };
}

describe('tieToNodeStream', () => {
  it('completes the subscriber on the ending event and removes every listener it added, its own included', () => {
    for (const ending of ['end', 'finish'] as const) {
      const stream = new FakeStream();
      const { subscriber, settled } = recordingSubscriber();
      const tie = tieToNodeStream(stream, subscriber, ending, 'closed early');
      let readable = 0;
      tie.listen({ readable: () => readable++ });
      expect(stream.listening()).toBe(4);
      stream.emit('readable');
      expect(readable).toBe(1);
      stream.emit(ending);
      expect(settled).toEqual({ completed: true, errors: [] });
      expect(tie.over).toBe(true);
      expect(stream.listening()).toBe(0);
      tie.release();
      expect(stream.destroyCalls).toBe(0);
    }
  });

  it("errors the subscriber with the stream's error, and with ERR_STREAM_PREMATURE_CLOSE on a close before the end", () => {
    const failing = new FakeStream();
    const first = recordingSubscriber();
    tieToNodeStream(failing, first.subscriber, 'end', 'closed early').listen({});
    const error = new Error('disk full');
    failing.emit('error', error);
    expect(first.settled.errors).toEqual([error]);
    expect(failing.listening()).toBe(0);

    const closing = new FakeStream();
    const second = recordingSubscriber();
    tieToNodeStream(
      closing,
      second.subscriber,
      'finish',
      'writeTo(writable): closed before it finished.',
    ).listen({});
    closing.emit('close');
    expect(second.settled.errors).toHaveLength(1);
    const [closed] = second.settled.errors;
    expect(closed).toBeInstanceOf(BackpressureError);
    expect(closed).toMatchObject({
      code: 'ERR_STREAM_PREMATURE_CLOSE',
      message: 'writeTo(writable): closed before it finished.',
    });
    expect(closing.listening()).toBe(0);
  });

  it('destroys the stream once when the subscriber leaves first, and fail() detaches before it errors', () => {
    const stream = new FakeStream();
    const { subscriber, settled } = recordingSubscriber();
    const tie = tieToNodeStream(stream, subscriber, 'end', 'closed early');
    tie.listen({});
    tie.release();
    tie.release();
    expect(stream.destroyCalls).toBe(1);
    expect(stream.listening()).toBe(0);
    expect(settled).toEqual({ completed: false, errors: [] });

    const failed = new FakeStream();
    const other = recordingSubscriber();
    const failedTie = tieToNodeStream(failed, other.subscriber, 'end', 'closed early');
    failedTie.listen({});
    const error = new Error('read() threw');
    failedTie.fail(error);
    expect(other.settled.errors).toEqual([error]);
    expect(failed.listening()).toBe(0);
    failedTie.release();
    expect(failed.destroyCalls).toBe(0);
  });
});
