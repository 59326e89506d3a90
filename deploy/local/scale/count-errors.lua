-- wrk script for deploy/local/scale-test: sends the API key, counts every response that is not
-- 2xx/3xx as a failure (wrk itself only counts them, without saying which), prints one summary
-- line for the shell to parse. Each wrk thread has its own Lua state: done() sums them.
local threads = {}
bad, last_bad = 0, 0 -- globals, so done() can read them with thread:get()
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SCALE_API_KEY")

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status >= 400 then
    bad = bad + 1
    last_bad = status
  end
end

function done(summary, latency, requests)
  local bad_total, statuses = 0, ""
  for _, t in ipairs(threads) do
    bad_total = bad_total + t:get("bad")
    if t:get("last_bad") ~= 0 then statuses = statuses .. " " .. t:get("last_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    "SCALE requests=%d bad_status=%d socket_errors=%d (connect=%d read=%d write=%d timeout=%d) p99_ms=%.1f bad_codes=%s\n",
    summary.requests, bad_total, e.connect + e.read + e.write + e.timeout,
    e.connect, e.read, e.write, e.timeout, latency:percentile(99) / 1000, statuses == "" and "-" or statuses))
end
