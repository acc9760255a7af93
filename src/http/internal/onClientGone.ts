import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Per connection, the requests waiting to hear that it closed; one 'close' listener per socket. */
const waiting = new WeakMap<Socket, Set<() => void>>();

function socketClosed(this: Socket): void {
  const leaving = waiting.get(this);
  waiting.delete(this);
  if (leaving === undefined) return;
  for (const leave of leaving) leave();
}

/**
 * Calls `onGone` once if the client leaves before the answer to `req` is complete, and returns a
 * function that stops waiting (call it when the answer is done or the work no longer matters).
 *
 * The response's own `'close'` is not enough: Node fires it only for the response that owns the socket,
 * so of several pipelined requests on one connection that closes, all but the first would never hear
 * of it. Nor is the request's `'close'`, which Node fires as soon as its body is read. The connection's
 * `'close'` is the one event every request on it gets; it is listened to once per connection however
 * many requests are pipelined on it.
 */
export function onClientGone(req: IncomingMessage, res: ServerResponse, onGone: () => void): () => void {
  const socket = req.socket;
  let settled = false;
  const leave = (): void => {
    if (settled) return;
    stop();
    if (!res.writableFinished) onGone();
  };
  const stop = (): void => {
    settled = true;
    waiting.get(socket)?.delete(leave);
    res.off('close', leave);
  };
  res.once('close', leave);
  if (socket.destroyed) {
    queueMicrotask(leave);
    return stop;
  }
  let leaving = waiting.get(socket);
  if (leaving === undefined) {
    leaving = new Set();
    waiting.set(socket, leaving);
    socket.once('close', socketClosed);
  }
  leaving.add(leave);
  return stop;
}
