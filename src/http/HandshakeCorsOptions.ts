/**
 * The cross-origin rule of {@link handshakeHandler}: which browser origins may call it. Preflight
 * requests (`OPTIONS`) are answered for them; credentials (cookies) are refused unless allowed.
 *
 * @example
 * ```ts
 * import type { HandshakeCorsOptions } from 'rxjs-backpressure/http';
 *
 * const cors: HandshakeCorsOptions = { origins: ['https://app.example.com'], maxAge: 600 };
 * ```
 */
export interface HandshakeCorsOptions {
  /** The allowed origins, exactly as browsers send them (`https://app.example.com`), or `'*'` for any. */
  readonly origins: readonly string[] | '*';
  /** Whether browsers may send cookies and HTTP authentication. Default `false`. */
  readonly credentials?: boolean;
  /** Seconds a browser may cache a preflight answer: a non-negative integer. Default 600. */
  readonly maxAge?: number;
}
