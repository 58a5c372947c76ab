-- Plain requests of one URL (GET, or the method given as the first argument after "--");
-- prints the run's figures as one JSON line for the runner.

function init(args)
    if args[1] then wrk.method = args[1] end
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'RESULT {"requests": %d, "duration_us": %d, "active_us": %d, "socket_errors": %d, '
            .. '"status_errors": %d, "p50_us": %d, "p99_us": %d}\n',
        summary.requests, summary.duration, summary.duration,
        e.connect + e.read + e.write + e.timeout, e.status,
        latency:percentile(50), latency:percentile(99)))
end
