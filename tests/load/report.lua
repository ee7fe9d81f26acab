-- wrk script: count answers that are not 200 and print the latency percentiles the README reports.
local not_ok = 0
local statuses = {}

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.1f p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f "
    .. "socket_errors=%d non200=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    not_ok))
  for status, count in pairs(statuses) do
    io.write(string.format("STATUS %d %d\n", status, count))
  end
end
