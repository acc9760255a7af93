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
export interface NodeWritableLike {
  write(chunk: unknown): boolean;
  end(): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy?(): unknown;
  readonly writableEnded?: boolean;
  readonly destroyed?: boolean;
}
