-- wrk script (bench/registry_api/run.sh): the registry API's mixed load in
-- the proportions of the goals (5,000 audited reads/s beside 2,000
-- changes/s): of every 7 requests on a connection's thread, 5 are audited
-- reads (GET /v1/residents/{id} of a random bulk-loaded resident: the
-- resident file, and one audit entry written) and 2 are changes (POST
-- /v1/residents: a new resident with a fresh valid individual number).
-- Arguments after `--`: AUTHORIZATION RESIDENTS
-- done() prints one line "RESULT requests=... seconds=... reads_per_s=...
-- changes_per_s=... p50_ms=... p99_ms=... non2xx=... socket_errors=..."
-- (reads and changes per second by the script's proportion).

local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

local auth, residents, n, changes = nil, 1, 0, 0

function init(args)
  auth = args[1]
  residents = tonumber(args[2])
  math.randomseed(tid * 7919 + 17)
end

-- Check digit of a 12-digit individual number (the ordinance of the My
-- Number Act, art. 5: weights Q = n + 1 for n <= 6, n - 5 above, from the
-- right; 0 when the remainder is 0 or 1, else 11 - remainder).
local function check_digit(base)
  local sum = 0
  for i = 1, 11 do
    local p = tonumber(base:sub(12 - i, 12 - i))
    local q = (i <= 6) and (i + 1) or (i - 5)
    sum = sum + p * q
  end
  local r = sum % 11
  if r <= 1 then return "0" end
  return tostring(11 - r)
end

function request()
  n = n + 1
  if n % 7 < 2 then
    changes = changes + 1
    local base = string.format("7%02d%08d", tid, changes)
    local body = string.format(
      '{"individual_number":"%s%s","name":"負荷 試験","date_of_birth":' ..
      '"1985-06-15","sex":"female","address":"長野県千曲市杭瀬下84",' ..
      '"municipality_code":"20218"}', base, check_digit(base))
    return wrk.format("POST", "/v1/residents", {
      ["Authorization"] = auth, ["X-Purpose"] = "bench",
      ["Content-Type"] = "application/json"}, body)
  end
  local path = string.format("/v1/residents/bulk-%012d",
                             math.random(0, residents - 1))
  return wrk.format("GET", path,
                    {["Authorization"] = auth, ["X-Purpose"] = "bench"})
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f reads_per_s=%.0f changes_per_s=%.0f " ..
    "p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, s, 5 / 7 * summary.requests / s,
    2 / 7 * summary.requests / s, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, e.status,
    e.connect + e.read + e.write + e.timeout))
end
