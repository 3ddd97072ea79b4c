-- wrk script: POST an eval body with the command header, then print one JSON line with the figures.
-- Body: the file named by BODY_FILE, else the BODY env var, else a correct numeric answer.
-- (A file, because Linux caps one environment string at 128 KiB and the scaling scenario sends 1 MiB.)
wrk.method = "POST"
local file = os.getenv("BODY_FILE")
if file and file ~= "" then
  local f = assert(io.open(file, "rb"))
  wrk.body = f:read("*a")
  f:close()
else
  wrk.body = os.getenv("BODY") or '{"response": 1, "answer": 1}'
end
wrk.headers["command"] = os.getenv("COMMAND") or "eval"
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "rps": %.2f, ' ..
    '"lat_mean_us": %.2f, "lat_stdev_us": %.2f, "lat_max_us": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "p999_us": %d, ' ..
    '"err_connect": %d, "err_read": %d, "err_write": %d, "err_status": %d, "err_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes, summary.requests / (summary.duration / 1e6),
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    e.connect, e.read, e.write, e.status, e.timeout))
end
