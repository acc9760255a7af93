import type { NodeStreamLike } from './internal/NodeStreamLike.js';

/**
 * What {@link pullFrom} uses of a Node.js readable stream: `read()` one chunk at a time, the
 * `'readable'`, `'end'`, `'error'` and `'close'` events, and `destroy()` when the output is unsubscribed.
 * Every `stream.Readable` (and every `NodeJS.ReadableStream`) is one. Declared here, by shape, so the
 * package's types compile without `@types/node`, in a browser project too.
 *
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * import type { NodeReadableLike } from 'rxjs-backpressure';
 *
 * const log: NodeReadableLike = createReadStream('access.log', { encoding: 'utf8' });
 * ```
 */
export interface NodeReadableLike extends NodeStreamLike {
  read(): unknown;
  readonly readableEnded?: boolean;
  readonly errored?: unknown;
}
