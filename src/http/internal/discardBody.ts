import type { IncomingMessage } from 'node:http';
import type { SchedulerLike } from 'rxjs';

/** How long a refused upload may go on being dropped before its connection is cut. */
const lingerTime = 2_000;
/** How many bytes of a refused upload are dropped at most before its connection is cut. */
const lingerBytes = 16_777_216;

/**
 * Reads and drops the rest of the body of a request answered without it (413, 415, 503), so the client
 * hears the answer: closing a connection with unread bytes makes the kernel reset it, and the client
 * then sees EPIPE or ECONNRESET instead of the status. The connection stays usable when the body ends;
 * it is cut when the body goes on for more than 2 s or 16 MiB.
 */
export function discardBody(req: IncomingMessage, scheduler: SchedulerLike): void {
  if (req.complete) return;
  let dropped = 0;
  const cut = (): void => {
    req.off('data', onData);
    req.socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    dropped += chunk.length;
    if (dropped > lingerBytes) cut();
  };
  const timer = scheduler.schedule(cut, lingerTime);
  req.on('data', onData);
  req.once('end', () => timer.unsubscribe());
  req.once('close', () => timer.unsubscribe());
  req.resume();
}
