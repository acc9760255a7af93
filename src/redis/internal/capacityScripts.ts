import { RedisScript } from './RedisScript.js';

/**
 * The functions every lease script shares. Keys: KEYS[1] the leases (a sorted set of fencing tokens
 * scored by expiry, in the server's milliseconds), KEYS[2] the token counter, KEYS[3] the epoch (when
 * the quiet period after an empty start ends), KEYS[4] the queue of waiting processes. ARGV[1] the key
 * prefix, ARGV[2] the capacity, ARGV[3] the lease TTL (ms), ARGV[4] 1 when the epoch guard is on.
 * A waiter `w` is queued while `prefix:waiter:w` exists (it refreshes it while it waits), and is woken
 * by a lease pushed to `prefix:wake:w`, which it waits on with BLPOP.
 */
const prelude = `
local prefix, capacity, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local time = redis.call('TIME')
local clock = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

-- The epoch guard: a server that comes back without the leases (a restart without persistence) may
-- face processes whose calls still run on leases it forgot. Nothing is granted for one TTL, by which
-- time those leases have expired and their calls have been aborted. Tokens then start above any
-- handed out before (the counter was lost too), so fencing stays monotonic.
local function quietFor()
  if ARGV[4] ~= '1' then return 0 end
  local quietUntil = tonumber(redis.call('GET', KEYS[3]))
  if not quietUntil then
    quietUntil = clock + ttl
    redis.call('SET', KEYS[3], quietUntil)
    if (tonumber(redis.call('GET', KEYS[2])) or 0) < clock * 1000 then
      redis.call('SET', KEYS[2], string.format('%.0f', clock * 1000))
    end
  end
  return math.max(0, quietUntil - clock)
end

local function grant()
  local token = redis.call('INCR', KEYS[2])
  redis.call('ZADD', KEYS[1], clock + ttl, token)
  return token
end

-- Drops expired leases, then hands free slots to queued waiters in FIFO order, one lease each, skipping
-- waiters gone; returns the slots still free.
local function handOut()
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', clock)
  local free = capacity - redis.call('ZCARD', KEYS[1])
  while free > 0 do
    local waiter = redis.call('LPOP', KEYS[4])
    if not waiter then break end
    if redis.call('DEL', prefix .. ':waiter:' .. waiter) == 1 then
      local wake = prefix .. ':wake:' .. waiter
      redis.call('RPUSH', wake, grant())
      redis.call('PEXPIRE', wake, ttl)
      free = free - 1
    end
  end
  return free
end
`;

/**
 * Acquires a lease for waiter ARGV[5] (its queue entry kept alive for ARGV[6] ms): `{token, 0, 0}`
 * when one was free, else `{0, ms, queued}`: the waiter is queued (`queued` 1) or stays queued (0) and
 * waits on its wake list at most `ms`, until the earliest lease expires or the quiet period ends. A
 * queued waiter handed a lease meanwhile finds it on its wake list.
 */
export const acquireScript = new RedisScript(`${prelude}
local waiter = ARGV[5]
local marker = prefix .. ':waiter:' .. waiter
local function wait(ms)
  if redis.call('SET', marker, 1, 'PX', ARGV[6], 'NX') then
    redis.call('RPUSH', KEYS[4], waiter)
    return {0, math.max(0, ms), 1}
  end
  redis.call('PEXPIRE', marker, ARGV[6])
  return {0, math.max(0, ms), 0}
end
local quiet = quietFor()
if quiet > 0 then return wait(quiet) end
local queued = redis.call('EXISTS', marker) == 1
local free = handOut()
if queued and redis.call('EXISTS', marker) == 0 then return {0, 0, 0} end
if free > 0 then
  redis.call('DEL', marker)
  return {grant(), 0, 0}
end
local earliest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return wait(earliest[2] and tonumber(earliest[2]) - clock or ttl)
`);

/** Releases lease ARGV[5] and hands its slot to the first waiter, if any (not while quiet). */
export const releaseScript = new RedisScript(`${prelude}
redis.call('ZREM', KEYS[1], ARGV[5])
if quietFor() == 0 then handOut() end
return 1
`);

/**
 * Extends leases ARGV[5..] to a full TTL from now; returns those already expired or gone (a restart
 * that lost them, an expiry while this process could not reach the server), which it drops.
 */
export const renewScript = new RedisScript(`${prelude}
local lost = {}
for i = 5, #ARGV do
  local expiry = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[i]))
  if expiry and expiry > clock then
    redis.call('ZADD', KEYS[1], 'XX', clock + ttl, ARGV[i])
  else
    redis.call('ZREM', KEYS[1], ARGV[i])
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
`);
