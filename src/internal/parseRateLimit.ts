/** What a response tells about the client's quota. */
export interface RateLimitReading {
  /** Requests the quota still allows, after this one. */
  readonly remaining: number;
  /** Requests the quota allows per window, when told. */
  readonly limit: number | undefined;
  /** Milliseconds from now until the quota resets, when told. */
  readonly resetAfter: number | undefined;
}

const count = /^[0-9]+$/;
const seconds = /^[0-9]+(\.[0-9]+)?$/;

function countOf(text: string | undefined): number | undefined {
  return text !== undefined && count.test(text) ? Number(text) : undefined;
}

function secondsOf(text: string | undefined): number | undefined {
  return text !== undefined && seconds.test(text) ? Number(text) * 1000 : undefined;
}

/**
 * One member of a structured-field list or dictionary: `"default";r=50;t=30` gives the item
 * `"default"` with parameters r and t; `remaining=50` gives the item `remaining` with value `50`.
 */
function membersOf(
  header: string,
): { item: string; value: string | undefined; params: Map<string, string> }[] {
  return header.split(',').map((member) => {
    const [head = '', ...parameters] = member.split(';').map((part) => part.trim());
    const params = new Map<string, string>();
    for (const parameter of parameters) {
      const [key = '', value = ''] = parameter.split('=', 2).map((part) => part.trim());
      params.set(key.toLowerCase(), value);
    }
    const equals = head.indexOf('=');
    return equals === -1
      ? { item: head, value: undefined, params }
      : { item: head.slice(0, equals).trim().toLowerCase(), value: head.slice(equals + 1).trim(), params };
  });
}

/**
 * The IETF `RateLimit` field: the current draft's list of policies (`"default";r=50;t=30`, the most
 * restrictive one wins) or the earlier dictionary (`limit=100, remaining=50, reset=30`).
 */
function ietf(rateLimit: string, policy: string | null): RateLimitReading | undefined {
  const members = membersOf(rateLimit);
  const dictionary = new Map(members.map((member) => [member.item, member.value]));
  const dictionaryRemaining = countOf(dictionary.get('remaining'));
  if (dictionaryRemaining !== undefined) {
    return {
      remaining: dictionaryRemaining,
      limit: countOf(dictionary.get('limit')),
      resetAfter: secondsOf(dictionary.get('reset')),
    };
  }
  let tightest: { name: string; remaining: number; resetAfter: number | undefined } | undefined;
  for (const member of members) {
    const remaining = countOf(member.params.get('r'));
    if (remaining === undefined || (tightest !== undefined && remaining >= tightest.remaining)) continue;
    tightest = { name: member.item, remaining, resetAfter: secondsOf(member.params.get('t')) };
  }
  if (tightest === undefined) return undefined;
  const name = tightest.name;
  const quota = policy === null ? undefined : membersOf(policy).find((member) => member.item === name);
  return {
    remaining: tightest.remaining,
    limit: countOf(quota?.params.get('q')),
    resetAfter: tightest.resetAfter,
  };
}

/**
 * `X-RateLimit-Reset` (or the older `RateLimit-Reset`) is seconds until the reset for some APIs and
 * the moment of the reset in Unix seconds (GitHub) or milliseconds for others: a value past 10^9 can
 * only be a moment (10^9 seconds is 31 years).
 */
function resetOf(text: string | null, now: number): number | undefined {
  const value = secondsOf(text?.trim());
  if (value === undefined) return undefined;
  if (value < 1e12) return value;
  const at = value < 1e15 ? value : value / 1000;
  return Math.max(0, at - now);
}

/**
 * Reads what a response says about the client's quota, from the IETF `RateLimit` and
 * `RateLimit-Policy` fields, or the common `X-RateLimit-Limit`, `-Remaining` and `-Reset` (also
 * without the `X-`). `undefined` when the response tells no remaining count. Lenient where servers
 * differ: reset values may be fractional seconds.
 */
export function parseRateLimit(headers: Headers, now: number): RateLimitReading | undefined {
  const rateLimit = headers.get('ratelimit');
  if (rateLimit !== null) {
    const reading = ietf(rateLimit, headers.get('ratelimit-policy'));
    if (reading !== undefined) return reading;
  }
  for (const prefix of ['x-ratelimit-', 'ratelimit-']) {
    const remaining = countOf(headers.get(`${prefix}remaining`)?.trim());
    if (remaining === undefined) continue;
    return {
      remaining,
      limit: countOf(headers.get(`${prefix}limit`)?.trim()),
      resetAfter: resetOf(headers.get(`${prefix}reset`), now),
    };
  }
  return undefined;
}
