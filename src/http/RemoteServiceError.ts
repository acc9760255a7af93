import { BackpressureError } from 'rxjs-backpressure';

/**
 * A remote handshake service answered in a way that is neither a result nor "at capacity" (that one is
 * a `ServiceAtCapacityError`): an error status such as 400, 404 or 500, or an answer that does not
 * follow the protocol. `status` is the HTTP status; `remoteCode` the `code` the server's error body
 * named, when it named one (the code of the `BackpressureError` the provider raised, say).
 *
 * @example
 * ```ts
 * import { RemoteService, RemoteServiceError } from 'rxjs-backpressure/http';
 *
 * const remote = new RemoteService<string, number>({ url: 'http://127.0.0.1:8080/' });
 * remote.do('job').catch((error) => {
 *   if (error instanceof RemoteServiceError) console.log(error.status, error.message);
 * });
 * ```
 */
export class RemoteServiceError extends BackpressureError {
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The `code` in the server's error body, if any. */
  readonly remoteCode: string | undefined;

  constructor(status: number, message: string, remoteCode?: string) {
    super('ERR_REMOTE_SERVICE', message);
    this.status = status;
    this.remoteCode = remoteCode;
  }
}
