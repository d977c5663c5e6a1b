-- wrk script for the abusive caller of bench/abuse.sh. Arguments (after --): token user-id pace-ms
-- Every connection, on one user token, alternates reading the user's balance and creating a quiz
-- for them, waiting pace-ms between requests, so the offered load is bounded (connections / pace).
-- done() prints one JSON line (prefixed RESULT): throughput, status classes, 429s.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  token, user, pace = args[1], args[2], tonumber(args[3])
  n, s2, s4, s429, s5 = 0, 0, 0, 0, 0
  get_headers = { ["Authorization"] = "Bearer " .. token }
  post_headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  quiz = '{"title":"spam","questions":[{"question":"q?","options":["a","b"],"answer":0}]}'
end

function delay()
  return pace
end

function request()
  n = n + 1
  if n % 2 == 0 then return wrk.format("POST", "/v1/users/" .. user .. "/quizzes", post_headers, quiz) end
  return wrk.format("GET", "/v1/users/" .. user .. "/balance", get_headers)
end

function response(status, headers, body)
  if status == 429 then s429 = s429 + 1 end
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 200 and status < 300 then s2 = s2 + 1 end
end

function done(summary, latency, requests)
  local t2, t4, t429, t5 = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    t2 = t2 + t:get("s2"); t4 = t4 + t:get("s4"); t429 = t429 + t:get("s429"); t5 = t5 + t:get("s5")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"rps":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"s2xx":%d,"s4xx":%d,"s429":%d,"s5xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, t2, t4, t429, t5, e.connect + e.read + e.write + e.timeout))
end
