import type { IncomingMessage } from 'node:http';

/** How reading a request body ended. */
export type BodyOutcome =
  | { readonly kind: 'read'; readonly text: string }
  /** Declared or found larger than the limit; reading stopped there. */
  | { readonly kind: 'too-large' }
  /** The client went away before the body was complete. */
  | { readonly kind: 'aborted' };

/**
 * Reads a request body as UTF-8 text, refusing it as soon as it is known to exceed `maxBytes`: at once
 * when `Content-Length` says so, else when the bytes received pass the limit. A refused body is not
 * read any further (the request is paused, so the socket stops pulling bytes off the wire).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) {
      req.pause();
      resolve({ kind: 'too-large' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: BodyOutcome): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAborted);
      req.off('close', onAborted);
      resolve(outcome);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        finish({ kind: 'too-large' });
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = (): void => finish({ kind: 'read', text: Buffer.concat(chunks, size).toString('utf8') });
    // 'close' before 'end' means the client disconnected mid-body; 'error' is Node's "aborted".
    const onAborted = (): void => finish({ kind: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAborted);
    req.on('close', onAborted);
  });
}
