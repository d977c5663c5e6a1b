-- wrk script for genledger. Arguments (after --): mode token users prefix
--   mode   spend  spends of 1 on a random user of 1..users (uncontended)
--          hot    spends of 1 on user 0 (every client on one user)
--          lots3  spends of 1 on a random user of users+2..2*users+1 (seeded with three lots each)
--          mixed  80 % reads (balance, ledger page of 20, quiz) / 20 % spends, random users
-- Every spend carries its own Idempotency-Key (<prefix>-<thread>-<n>). done() prints one JSON
-- line (prefixed RESULT) with throughput, latency percentiles and status classes of all threads.
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  mode, token, users, prefix = args[1], args[2], tonumber(args[3]), args[4]
  n, s2, s4, s5, other = 0, 0, 0, 0, 0
  math.randomseed(os.time() * 1000 + tid)
  post_headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  get_headers = { ["Authorization"] = "Bearer " .. token }
  body = '{"amount":1,"reason":"bench"}'
end

local function uid(k) return string.format("00000000-0000-4000-8000-%012d", k) end
local function qid(k) return string.format("00000000-0000-4000-9000-%012d", k) end

local function spend(k)
  n = n + 1
  post_headers["Idempotency-Key"] = prefix .. "-" .. tid .. "-" .. n
  return wrk.format("POST", "/v1/users/" .. uid(k) .. "/credits/spend", post_headers, body)
end

function request()
  if mode == "hot" then return spend(0) end
  local k = math.random(1, users)
  if mode == "spend" then return spend(k) end
  if mode == "lots3" then return spend(users + 1 + k) end
  local r = math.random(100)
  if r <= 20 then return spend(k) end
  if r <= 47 then return wrk.format("GET", "/v1/users/" .. uid(k) .. "/balance", get_headers) end
  if r <= 74 then return wrk.format("GET", "/v1/users/" .. uid(k) .. "/ledger?limit=20", get_headers) end
  return wrk.format("GET", "/v1/quizzes/" .. qid(k), get_headers)
end

function response(status, headers, resp_body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 200 and status < 300 then s2 = s2 + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local t2, t4, t5 = 0, 0, 0
  for _, t in ipairs(threads) do
    t2 = t2 + t:get("s2"); t4 = t4 + t:get("s4"); t5 = t5 + t:get("s5")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,' ..
    '"s2xx":%d,"s4xx":%d,"s5xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, t2, t4, t5, e.connect + e.read + e.write + e.timeout))
end
