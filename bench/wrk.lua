-- wrk script for bench/run: replays the pre-generated raw requests of bench/gen.py.
-- Usage: wrk -t T -c C -d D -s bench/wrk.lua http://127.0.0.1:PORT -- PREFIX
-- Thread i sends the records of file PREFIX.i in order (a booking's deliveries stay
-- in order), counts 2xx / "duplicate" answers / other statuses, and done() prints one
-- JSON line: requests/s, latency percentiles (ms), error counts, and whether any
-- thread ran out of requests and started over (which would turn the rest into
-- duplicates: the caller then generates more).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local path = args[1] .. "." .. id
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  reqs = {}
  local pos = 1
  while pos <= #data do
    local nl = data:find("\n", pos, true)
    local len = tonumber(data:sub(pos, nl - 1))
    reqs[#reqs + 1] = data:sub(nl + 1, nl + len)
    pos = nl + 1 + len
  end
  idx = 0
  n2xx = 0
  dup = 0
  other = 0
  wrapped = 0
end

function request()
  idx = idx + 1
  if idx > #reqs then
    idx = 1
    wrapped = wrapped + 1
  end
  return reqs[idx]
end

function response(status, headers, body)
  -- A GraphQL error comes with status 200: counted with the failures, not as a 2xx.
  if status >= 200 and status < 300 and body and body:find('"errors":', 1, true) then
    other = other + 1
  elseif status >= 200 and status < 300 then
    n2xx = n2xx + 1
    if body and body:find('"duplicate"', 1, true) then
      dup = dup + 1
    end
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local t2xx, tdup, tother, twrap = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    t2xx = t2xx + t:get("n2xx")
    tdup = tdup + t:get("dup")
    tother = tother + t:get("other")
    twrap = twrap + t:get("wrapped")
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "rps": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, ' ..
    '"mean_ms": %.3f, "ok_2xx": %d, "duplicates": %d, "non_2xx": %d, "socket_errors": %d, "timeouts": %d, "wrapped": %d}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000, t2xx, tdup, tother,
    e.connect + e.read + e.write, e.timeout, twrap))
end
