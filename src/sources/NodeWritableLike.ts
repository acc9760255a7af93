import type { NodeStreamLike } from './internal/NodeStreamLike.js';

/**
 * What {@link writeTo} uses of a Node.js writable stream: `write()` and its `false` answer, `end()`,
 * the `'drain'`, `'finish'`, `'error'` and `'close'` events, and `destroy()` on teardown. Every
 * `stream.Writable` (and every `NodeJS.WritableStream`, `process.stdout` say) is one. Declared here, by
 * shape, so the package's types compile without `@types/node`, in a browser project too.
 *
 * @example
 * ```ts
 * import { createWriteStream } from 'node:fs';
 * import type { NodeWritableLike } from 'rxjs-backpressure';
 *
 * const out: NodeWritableLike = createWriteStream('out.txt');
 * ```
 */
export interface NodeWritableLike extends NodeStreamLike {
  write(chunk: unknown): boolean;
  end(): unknown;
  readonly writableEnded?: boolean;
}
