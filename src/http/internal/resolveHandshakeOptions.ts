import type { SchedulerLike } from 'rxjs';
import { isNonNegativeCount, knownOptions, numberOption, optionalFunction } from '../../core/validation.js';
import { schedulerOption } from '../../internal/schedulerOption.js';
import type { HandshakeHandlerOptions } from '../HandshakeHandlerOptions.js';
import { type ResolvedCors, resolveCors } from './resolveCors.js';

/**
 * The options of one `handshakeHandler`, checked when it is created and with their defaults in, so
 * the endpoints read plain values and never meet a bad option while serving.
 */
export interface HandshakeSettings<Req, Res> {
  readonly decode: (body: unknown) => Req;
  readonly encode: (result: Res) => unknown;
  /** `options.retryAfter` in whole milliseconds; `undefined`: derive the advice from the calls. */
  readonly retryAfterMs: number | undefined;
  readonly maxBodyBytes: number;
  readonly maxStreams: number;
  readonly callTimeout: number;
  readonly revokeAfter: number;
  readonly heartbeatInterval: number;
  readonly cors: ResolvedCors | undefined;
  readonly scheduler: SchedulerLike;
}

const optionKeys = [
  'decode',
  'encode',
  'retryAfter',
  'maxBodyBytes',
  'maxStreams',
  'callTimeout',
  'revokeAfter',
  'heartbeatInterval',
  'cors',
  'scheduler',
];
const defaultMaxBodyBytes = 1_048_576;
const defaultMaxStreams = 256;
const defaultCallTimeout = 60_000;
const defaultRevokeAfter = 1_000;
/** Often enough for proxies that cut idle connections after a minute, rare enough to cost nothing. */
const defaultHeartbeatInterval = 15_000;

function isFiniteNonNegative(n: number): boolean {
  return n >= 0 && Number.isFinite(n);
}

/** Checks the options of `handshakeHandler` (see `HandshakeHandlerOptions`), refusing unknown keys. */
export function resolveHandshakeOptions<Req, Res>(
  options: HandshakeHandlerOptions<Req, Res> | undefined,
): HandshakeSettings<Req, Res> {
  const given = knownOptions(options, optionKeys, 'options');
  return {
    decode: optionalFunction(given.decode, 'options.decode') ?? ((body: unknown) => body as Req),
    encode: optionalFunction(given.encode, 'options.encode') ?? ((result: Res) => result),
    retryAfterMs:
      given.retryAfter === undefined
        ? undefined
        : Math.round(
            1000 *
              numberOption(
                given.retryAfter,
                'options.retryAfter',
                'a non-negative finite number of seconds',
                isFiniteNonNegative,
              ),
          ),
    maxBodyBytes: numberOption(
      given.maxBodyBytes ?? defaultMaxBodyBytes,
      'options.maxBodyBytes',
      'a non-negative integer number of bytes',
      isNonNegativeCount,
    ),
    maxStreams: numberOption(
      given.maxStreams ?? defaultMaxStreams,
      'options.maxStreams',
      'a non-negative integer',
      isNonNegativeCount,
    ),
    callTimeout: numberOption(
      given.callTimeout ?? defaultCallTimeout,
      'options.callTimeout',
      'a positive number of milliseconds or Infinity',
      (n) => n > 0,
    ),
    revokeAfter: numberOption(
      given.revokeAfter ?? defaultRevokeAfter,
      'options.revokeAfter',
      'a non-negative finite number of milliseconds',
      isFiniteNonNegative,
    ),
    heartbeatInterval: numberOption(
      given.heartbeatInterval ?? defaultHeartbeatInterval,
      'options.heartbeatInterval',
      'a positive finite number of milliseconds',
      (n) => n > 0 && Number.isFinite(n),
    ),
    cors: resolveCors(given.cors),
    scheduler: schedulerOption(given.scheduler, 'options.scheduler'),
  };
}
