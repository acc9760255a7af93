const delaySeconds = /^[0-9]+$/;
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const month = `(${months.join('|')})`;
const time = '([0-9]{2}):([0-9]{2}):([0-9]{2})';
// The three HTTP-date forms (RFC 9110, section 5.6.7); recipients must accept all of them.
const imfFixdate = new RegExp(`^[A-Z][a-z]{2}, ([0-9]{2}) ${month} ([0-9]{4}) ${time} GMT$`);
const rfc850 = new RegExp(`^[A-Z][a-z]{5,8}, ([0-9]{2})-${month}-([0-9]{2}) ${time} GMT$`);
const asctime = new RegExp(`^[A-Z][a-z]{2} ${month} ([0-9 ][0-9]) ${time} ([0-9]{4})$`);

/** Milliseconds since the epoch of a calendar date in GMT, or `undefined` if no such moment exists. */
function utc(
  year: number,
  monthName: string,
  day: number,
  h: string,
  m: string,
  s: string,
): number | undefined {
  const monthIndex = months.indexOf(monthName);
  const at = Date.UTC(year, monthIndex, day, Number(h), Number(m), Number(s));
  const date = new Date(at);
  // Date.UTC rolls 31 Feb over into March and 25:00 into the next day; a header saying so is invalid.
  const exact =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === monthIndex &&
    date.getUTCDate() === day &&
    date.getUTCHours() === Number(h) &&
    date.getUTCMinutes() === Number(m) &&
    date.getUTCSeconds() === Number(s);
  return exact ? at : undefined;
}

/** The moment an HTTP-date names, in milliseconds since the epoch, or `undefined` when it is not one. */
function parseHttpDate(text: string, now: number): number | undefined {
  let match = imfFixdate.exec(text);
  if (match !== null) {
    const [, day = '', name = '', year = '', h = '', m = '', s = ''] = match;
    return utc(Number(year), name, Number(day), h, m, s);
  }
  match = rfc850.exec(text);
  if (match !== null) {
    const [, day = '', name = '', shortYear = '', h = '', m = '', s = ''] = match;
    // The year ending in those digits that is at most 50 years ahead: one further ahead means the
    // most recent past year ending in them.
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(shortYear);
    if (year <= thisYear - 50) year += 100;
    if (year > thisYear + 50) year -= 100;
    return utc(year, name, Number(day), h, m, s);
  }
  match = asctime.exec(text);
  if (match !== null) {
    const [, name = '', day = '', h = '', m = '', s = '', year = ''] = match;
    return utc(Number(year), name, Number(day.trim()), h, m, s);
  }
  return undefined;
}

/**
 * The wait a `Retry-After` header asks for, in milliseconds, from either form it may take:
 * delay-seconds (`"120"`) or an HTTP-date (`"Fri, 31 Dec 1999 23:59:59 GMT"`, also the obsolete
 * RFC 850 and asctime forms), counted from `now`. A date in the past means no wait (0). A missing or
 * malformed header is `undefined`: the server gave no usable advice.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (typeof header !== 'string') return undefined;
  const text = header.trim();
  if (delaySeconds.test(text)) {
    const wait = Number(text) * 1000;
    return Number.isFinite(wait) ? wait : undefined;
  }
  const at = parseHttpDate(text, now);
  return at === undefined ? undefined : Math.max(0, at - now);
}
