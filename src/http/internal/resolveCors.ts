import {
  booleanOption,
  describeValue,
  isNonNegativeCount,
  knownOptions,
  numberOption,
} from '../../core/validation.js';
import type { HandshakeCorsOptions } from '../HandshakeCorsOptions.js';

/** `options.cors` checked, with its defaults in and the origins as a set, for `corsHeaders`. */
export interface ResolvedCors {
  readonly origins: ReadonlySet<string> | '*';
  readonly credentials: boolean;
  readonly maxAge: number;
}

const corsKeys = ['origins', 'credentials', 'maxAge'];
const defaultMaxAge = 600;

/** Checks `options.cors` of `handshakeHandler`; `undefined` when there is none (no cross-origin access). */
export function resolveCors(cors: HandshakeCorsOptions | undefined): ResolvedCors | undefined {
  if (cors === undefined) return undefined;
  const given = knownOptions(cors, corsKeys, 'options.cors');
  const { origins } = given;
  if (origins !== '*' && !(Array.isArray(origins) && origins.every((origin) => typeof origin === 'string'))) {
    throw new TypeError(
      `options.cors.origins must be '*' or an array of origin strings, got ${describeValue(origins)}.`,
    );
  }
  return {
    origins: origins === '*' ? '*' : new Set(origins),
    credentials: booleanOption(given.credentials ?? false, 'options.cors.credentials'),
    maxAge: numberOption(
      given.maxAge ?? defaultMaxAge,
      'options.cors.maxAge',
      'a non-negative integer number of seconds',
      isNonNegativeCount,
    ),
  };
}
