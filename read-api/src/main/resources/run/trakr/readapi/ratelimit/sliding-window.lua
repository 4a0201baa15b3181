-- Sliding-window log of one token's accepted requests, with Redis's own clock.
-- KEYS[1]: the token's log (a sorted set of request times in microseconds)
-- KEYS[2]: the token's revocation mark (set by the admin command when it revokes)
-- ARGV[1]: limit, ARGV[2]: window in microseconds
-- Returns {1 accepted / 0 refused / -1 revoked, remaining, microseconds until the oldest
-- logged request leaves the window}. Refused and revoked requests are not logged.
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {-1, 0, 0}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local accepted = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. count)
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
  count = count + 1
  accepted = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {accepted, limit - count, tonumber(oldest[2]) + window - now}
