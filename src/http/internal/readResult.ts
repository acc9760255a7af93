import { type ServiceAtCapacityDetails, ServiceAtCapacityError } from 'rxjs-backpressure';
import { parseRetryAfter } from '../../internal/parseRetryAfter.js';
import { RemoteServiceError } from '../RemoteServiceError.js';
import { httpProtocol } from './httpProtocol.js';
import { parseCount } from './parseCount.js';
import { readLoad } from './readLoad.js';

/** The `message` and `code` of a JSON error body, as far as it has them. */
function errorBody(text: string): { message?: string; code?: string } {
  try {
    const { message, code } = JSON.parse(text) as { message?: unknown; code?: unknown };
    return {
      ...(typeof message === 'string' ? { message } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * What the answer of `POST url` (its body `text`) means for the caller of `RemoteService.do()`: the
 * JSON result (`undefined` for 204 or an empty body); a `ServiceAtCapacityError` for a 503, with the
 * server's retry advice and load; a `RemoteServiceError` for any other error status, or for a success
 * whose body is not JSON.
 */
export function readResult<Res>(response: Response, text: string, url: URL): Res {
  const { status } = response;
  if (response.ok) {
    if (status === 204 || text === '') return undefined as Res;
    try {
      return JSON.parse(text) as Res;
    } catch {
      throw new RemoteServiceError(
        status,
        `POST ${url.href} answered ${status} with a body that is not JSON.`,
      );
    }
  }
  if (status === 503) {
    const retryAfter =
      parseCount(response.headers.get(httpProtocol.retryAfterMsHeader)) ??
      parseRetryAfter(response.headers.get('retry-after'), Date.now());
    const details: ServiceAtCapacityDetails = {
      ...readLoad(response.headers),
      ...(retryAfter === undefined ? {} : { retryAfter }),
    };
    throw new ServiceAtCapacityError(details);
  }
  const { message, code } = errorBody(text);
  throw new RemoteServiceError(
    status,
    `POST ${url.href} answered ${status}${message === undefined ? '' : `: ${message}`}`,
    code,
  );
}
