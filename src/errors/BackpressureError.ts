/**
 * A well-known symbol (shared across copies of this package through the global symbol registry) that
 * brands every error this library raises, so {@link isBackpressureError} works even when two copies of
 * the package meet in one program and `instanceof` would fail.
 */
const brand: unique symbol = Symbol.for('rxjs-backpressure.BackpressureError');

/**
 * The base class of every error this library raises on purpose. `code` is a stable, machine-readable
 * string (`'ERR_BUFFER_OVERFLOW'`, `'ERR_SERVICE_AT_CAPACITY'`, ...) that is safe to switch on.
 *
 * @example
 * ```ts
 * import { BackpressureError } from 'rxjs-backpressure';
 *
 * const error = new BackpressureError('ERR_EXAMPLE', 'something went wrong');
 * console.log(error.code, error.message); // 'ERR_EXAMPLE' 'something went wrong'
 * ```
 */
export class BackpressureError extends Error {
  /** A stable, machine-readable code for this kind of error. */
  readonly code: string;

  /** @internal The brand read by {@link isBackpressureError}. */
  readonly [brand] = true;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * Tells whether `error` is a {@link BackpressureError}, by brand rather than `instanceof`, so it also
 * recognises errors raised by another copy of this package.
 *
 * @example
 * ```ts
 * import { isBackpressureError } from 'rxjs-backpressure';
 *
 * try {
 *   JSON.parse('{');
 * } catch (error) {
 *   console.log(isBackpressureError(error)); // false
 * }
 * ```
 */
export function isBackpressureError(error: unknown): error is BackpressureError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [brand]?: unknown })[brand] === true &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}
