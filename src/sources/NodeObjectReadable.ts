/** A listener of a Node.js stream event; its arguments are the event's own. */
type StreamListener = (...args: unknown[]) => void;

/**
 * The Node.js object-mode `stream.Readable` that {@link toNodeReadable} returns, described by what it
 * offers: read it with `for await`, `stream.pipeline`, `read()` or its events. Declared here, by shape,
 * so the package's types compile without `@types/node`. The value is a real `Readable`: for `pipe()`
 * (whose destination type only `@types/node` can name) or any other of its methods, write
 * `stream as Readable`.
 *
 * @example
 * ```ts
 * import { pullFrom, toNodeReadable, type NodeObjectReadable } from 'rxjs-backpressure';
 *
 * const letters: NodeObjectReadable<string> = toNodeReadable((credits) => pullFrom(['a', 'b'], credits));
 * for await (const letter of letters) console.log(letter);
 * ```
 */
export interface NodeObjectReadable<T> extends AsyncIterable<T> {
  readonly readableObjectMode: boolean;
  readonly readableHighWaterMark: number;
  readonly readableLength: number;
  readonly readableEnded: boolean;
  readonly destroyed: boolean;
  read(size?: number): T | null;
  pause(): this;
  resume(): this;
  isPaused(): boolean;
  on(event: string | symbol, listener: StreamListener): this;
  once(event: string | symbol, listener: StreamListener): this;
  off(event: string | symbol, listener: StreamListener): this;
  removeListener(event: string | symbol, listener: StreamListener): this;
  destroy(error?: Error): this;
}
