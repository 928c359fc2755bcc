-- wrk script: each request posts a real log form with a fresh client_uuid.
-- BENCH_FORMS names a file with one line per signed-in volunteer:
--   cookie<TAB>csrf token<TAB>village id<TAB>household ids (comma separated)<TAB>service ids (comma separated)<TAB>date
local forms = {}
local counter = 0

local function split(s, sep)
  local out = {}
  for piece in string.gmatch(s, "([^" .. sep .. "]+)") do table.insert(out, piece) end
  return out
end

for line in io.lines(os.getenv("BENCH_FORMS")) do
  local f = split(line, "\t")
  table.insert(forms, {cookie = f[1], csrf = f[2], village = f[3], households = split(f[4], ","),
                       services = split(f[5], ","), day = f[6]})
end

local function uuid4()
  local t = {}
  for i = 1, 32 do t[i] = string.format("%x", math.random(0, 15)) end
  t[13] = "4"
  t[17] = string.format("%x", 8 + math.random(0, 3))
  local s = table.concat(t)
  return s:sub(1, 8) .. "-" .. s:sub(9, 12) .. "-" .. s:sub(13, 16) .. "-" .. s:sub(17, 20) .. "-" .. s:sub(21, 32)
end

local threads = {}

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
  table.insert(threads, thread)
end

-- The logs the server acknowledged (their id, from HX-Push-Url /logs/<id>), written by done()
-- to BENCH_ACKED when it is set, for the caller to check that each one is stored.
acked = ""

function response(status, headers, body)
  local url = headers["HX-Push-Url"]
  if status == 200 and url then
    acked = acked .. url:match("(%d+)$") .. "\n"
  end
end

function init(args)
  math.randomseed(os.time() + seed)
end

request = function()
  counter = counter + 1
  local form = forms[(counter % #forms) + 1]
  local household = form.households[math.random(1, #form.households)]
  local service = form.services[math.random(1, #form.services)]
  local body = "csrf_token=" .. form.csrf .. "&client_uuid=" .. uuid4() .. "&village_id=" .. form.village ..
    "&mode=existing&household_id=" .. household .. "&service_ids=" .. service ..
    "&outcome=done&people_count=1&helped_on=" .. form.day .. "&note="
  return wrk.format("POST", "/logs/new", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = form.cookie,
    ["HX-Request"] = "true",
    ["Accept-Encoding"] = "br, gzip",
  }, body)
end

done = function(summary, latency, requests)
  local path = os.getenv("BENCH_ACKED")
  if path then
    local out = io.open(path, "w")
    for _, thread in ipairs(threads) do out:write(thread:get("acked")) end
    out:close()
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH_RAW requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout, e.status, e.connect, e.read, e.write, e.timeout))
end
