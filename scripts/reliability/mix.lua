-- The request mix for wrk against wasmshim serving tests/fixtures/hostile.wat (scripts/reliability/*.sh).
-- Every kind of request has exactly one expected reply (status and whole body); `response` classifies each reply
-- by its status and body and counts the ones that match no expected reply as mismatches.
--   MIX=load (default): many faults (traps, endless loops, proc_exit, bad replies, memory growth, malformed HTTP)
--   MIX=soak: the same kinds, fewer endless loops (they cost CPU, not memory)
--   NO_LOOPS=1: no endless loops at all (shutdown.sh runs its own)
--   STOP_AFTER=N: each thread stops after N replies (0: run for wrk's -d duration)
-- At the end one line "MIX {json}" sums it up: sent and received per reply class, mismatches, a sample of each.

local NORMAL = '{"command":"eval","result":{"is_correct":true,"feedback":"ok","global":1,"static":1}}'
local function err(message) return '{"error":{"message":"' .. message .. '"}}' end

-- Reply classes: name -> {status, body}.
local classes = {
  normal = {200, NORMAL},
  mued = {200, '[{"responseLatex":null,"responseSimplified":null,"awardedPoints":1,"message":"ok"}]'},
  healthcheck = {200, '{"command":"healthcheck","result":{"tests_passed":true,"successes":[],"failures":[],"errors":[]}}'},
  health = {200, '{"status":"ok"}\n'},
  bad_json = {400, err("invalid JSON body: EOF while parsing a value at line 1 column 12")},
  invalid = {422, '{"error":{"message":"request validation error","fields":{"(root)":["answer is required"]}}}'},
  bad_method = {405, err("invalid method")},
  trap = {500, err("evaluation trapped: unreachable instruction executed (a panic or abort in the evaluator)")},
  out_of_fuel = {500, err("evaluation exceeded its CPU budget")},
  exit = {500, err("evaluator exited with code 3")},
  bad_reply = {500, err("evaluator returned a bad reply: the reply is not JSON: key must be a string at line 1 column 2")},
  chunked = {411, err("chunked request bodies are not supported: send the body with a Content-Length header")},
  bad_length = {400, err("invalid Content-Length header")},
}

-- Request kinds: {name, reply class, weight under MIX=load, weight under MIX=soak, fault?, request builder}.
local function post(path, body, headers)
  return function() return wrk.format("POST", path, headers, body) end
end
local function raw(text) return function() return text end end
local kinds = {
  {"correct", "normal", 34, 50, false, post("/", '{"response":"fine","answer":1}')},
  {"mued", "mued", 8, 10, false,
    post("/evaluate", '{"submission":{"type":"TEXT","content":{"text":"fine"}},"task":{"referenceSolution":{"text":"x"}}}')},
  {"healthcheck", "healthcheck", 4, 5, false, post("/", '{}', {["command"] = "healthcheck"})},
  {"health", "health", 4, 5, false, function() return wrk.format("GET", "/health") end},
  {"bad_json", "bad_json", 5, 4, true, post("/", '{"response":')},
  {"invalid", "invalid", 5, 4, true, post("/", '{"response":1}')},
  {"bad_method", "bad_method", 3, 3, true, function() return wrk.format("GET", "/") end},
  {"trap", "trap", 10, 5, true, post("/", '{"response":"#t","answer":1}')},
  {"loop", "out_of_fuel", 4, 0.2, true, post("/", '{"response":"#l","answer":1}')},
  {"exit", "exit", 5, 4, true, post("/", '{"response":"#x","answer":1}')},
  {"bad_reply", "bad_reply", 5, 4, true, post("/", '{"response":"#j","answer":1}')},
  {"grow", "normal", 6, 4, true, post("/", '{"response":"#g","answer":1}')},
  {"chunked", "chunked", 2, 1, true,
    raw("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")},
  {"bad_length", "bad_length", 2, 1, true, raw("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x1\r\n\r\n")},
}

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local requests, weights, total_weight, lookup
local stop_after = tonumber(os.getenv("STOP_AFTER") or "0")

function init(args)
  math.randomseed(os.time() * 100 + id)
  sent, got, sent_faults, replies, mismatches, sample = {}, {}, 0, 0, 0, ""
  local soak = os.getenv("MIX") == "soak"
  requests, weights, total_weight, lookup = {}, {}, 0, {}
  for i, kind in ipairs(kinds) do
    requests[i] = kind[6]()
    weights[i] = soak and kind[4] or kind[3]
    if kind[1] == "loop" and os.getenv("NO_LOOPS") == "1" then weights[i] = 0 end
    total_weight = total_weight + weights[i]
  end
  for name, class in pairs(classes) do lookup[class[1] .. "\n" .. class[2]] = name end
end

function request()
  local pick = math.random() * total_weight
  local i = 1
  while pick > weights[i] and i < #kinds do
    pick = pick - weights[i]
    i = i + 1
  end
  local kind = kinds[i]
  sent[kind[2]] = (sent[kind[2]] or 0) + 1
  if kind[5] then sent_faults = sent_faults + 1 end
  return requests[i]
end

function response(status, headers, body)
  replies = replies + 1
  local class = lookup[status .. "\n" .. body]
  if class then
    got[class] = (got[class] or 0) + 1
  else
    mismatches = mismatches + 1
    if sample == "" then sample = status .. " " .. body end
  end
  if stop_after > 0 and replies >= stop_after then wrk.thread:stop() end
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

local function json_counts(t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, string.format('"%s":%d', k, v)) end
  table.sort(parts)
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests_stats)
  local all_sent, all_got, faults, count, bad, samples = {}, {}, 0, 0, 0, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("sent")) do all_sent[k] = (all_sent[k] or 0) + v end
    for k, v in pairs(thread:get("got")) do all_got[k] = (all_got[k] or 0) + v end
    faults = faults + thread:get("sent_faults")
    count = count + thread:get("replies")
    bad = bad + thread:get("mismatches")
    local s = thread:get("sample")
    if s ~= "" then table.insert(samples, json_string(s)) end
  end
  local e = summary.errors
  io.write(string.format(
    'MIX {"replies":%d,"mismatches":%d,"faults_sent":%d,"sent":%s,"received":%s,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"duration_us":%d,' ..
    '"latency_us":{"p50":%d,"p99":%d,"max":%d},"mismatch_samples":[%s]}\n',
    count, bad, faults, json_counts(all_sent), json_counts(all_got), e.connect, e.read, e.write, e.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99), latency.max, table.concat(samples, ",")))
end
