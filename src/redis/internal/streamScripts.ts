import { RedisScript } from './RedisScript.js';

/**
 * Reclaims entries idle longer than ARGV[3] ms for consumer ARGV[2] of group ARGV[1] (`XAUTOCLAIM`
 * from cursor ARGV[4], at most ARGV[5]), and learns each one's delivery count (`XPENDING`), which
 * `XAUTOCLAIM` does not return. When ARGV[6] > 0, entries now delivered more than ARGV[6] times are
 * moved to the dead-letter stream KEYS[2] and acknowledged, in the same atomic step, so an entry is
 * never both dead-lettered and delivered. Returns `{next cursor, {{id, fields, count}...}, dead...}`.
 */
export const reclaimScript = new RedisScript(`
local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local max = tonumber(ARGV[6])
local live, dead = {}, {}
for _, entry in ipairs(claimed[2]) do
  local id = entry[1]
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
  local count = pending[1] and pending[1][4] or 1
  if max > 0 and count > max then
    local record = {'x-source-id', id, 'x-deliveries', count, 'x-group', ARGV[1]}
    for _, value in ipairs(entry[2]) do record[#record + 1] = value end
    redis.call('XADD', KEYS[2], '*', unpack(record))
    redis.call('XACK', KEYS[1], ARGV[1], id)
    dead[#dead + 1] = {id, entry[2], count}
  else
    live[#live + 1] = {id, entry[2], count}
  end
end
return {claimed[1], live, dead}
`);

/**
 * Acknowledges entries ARGV[3..] of group ARGV[1] at once, returning 1 or 0 for each: with a consumer
 * in ARGV[2] (fenced), each only while that consumer still owns it (another consumer may have
 * reclaimed it meanwhile); with '' whenever it is still pending.
 */
export const ackScript = new RedisScript(`
local acknowledged = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local owned = ARGV[2] == '' or #redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1, ARGV[2]) > 0
  acknowledged[#acknowledged + 1] = owned and redis.call('XACK', KEYS[1], ARGV[1], id) or 0
end
return acknowledged
`);

/**
 * Hands entries back to the group, fenced like the acknowledgement: for each pair (id, count) of
 * ARGV[4..] still owned by consumer ARGV[2], sets its idle time to ARGV[3] ms, so the next reclaim of
 * any consumer takes it at once, and its delivery count to `count`. Returns how many it handed back.
 */
export const giveBackScript = new RedisScript(`
local handed = 0
for i = 4, #ARGV, 2 do
  local id = ARGV[i]
  local owned = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1, ARGV[2])
  if #owned > 0 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id, 'IDLE', ARGV[3], 'RETRYCOUNT', ARGV[i + 1], 'JUSTID')
    handed = handed + 1
  end
end
return handed
`);

/** The idle time a handed-back entry gets: longer than any sensible `claimIdle` (about 11 days). */
export const handBackIdle = 1_000_000_000;
