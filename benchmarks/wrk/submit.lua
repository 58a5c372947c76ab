-- Final submits only: each request submits a draft of its own, prepared by respondent.lua,
-- from the browser that prepared it (its cookies, address and name), with the last page's stamp.
--
-- Run every thread with exactly one connection (wrk -t N -c N). Thread k reads the drafts in
-- <prefix>.<k> (first argument) and stops when it has submitted them all. Latency figures are
-- those of the final submit requests alone.

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")

-- Microseconds of CLOCK_MONOTONIC: a thread may stop before wrk's -d, so the run's real
-- length is measured here, from the first request sent to the last response read.
local function now_us()
    ffi.C.clock_gettime(1, ts)
    return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local threads = {}
local counter = 0

function setup(thread)
    thread:set("id", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

function init(args)
    prefix = args[1]
    base = args[2] or "/en/s/sco-2025/"
    drafts = {}
    -- One line per draft, as respondent.lua wrote it: cookies, CSRF token, the last page's
    -- served stamp, the respondent's address and browser name.
    for line in io.lines(args[1] .. "." .. id) do
        local cookies, csrf, stamp, address, agent =
            string.match(line, "^([^\t]+)\t([^\t]+)\t([^\t]*)\t([^\t]+)\t([^\t]+)$")
        table.insert(drafts, {cookies = cookies, csrf = csrf, stamp = stamp, address = address,
            agent = agent})
    end
    next_draft, submitted, bad = 1, 0, 0
    first_us, last_us = 0, 0
end

function request()
    if first_us == 0 then first_us = now_us() end
    -- The runner deals at least one draft to every thread; an empty file is the runner's bug.
    local d = assert(drafts[next_draft] or drafts[#drafts], "no drafts for thread " .. id)
    return wrk.format("POST", base .. "p/5/", {
        ["Cookie"] = d.cookies,
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["User-Agent"] = d.agent,
        ["X-Forwarded-For"] = d.address,
    }, "csrfmiddlewaretoken=" .. d.csrf .. "&page_served=" .. d.stamp .. "&website="
        .. "&network_size=" .. math.random(1, 300) .. "&action=submit")
end

function response(status, headers, body)
    last_us = now_us()
    local location = headers["Location"] or headers["location"] or ""
    if status == 302 and string.find(location, "/thanks/", 1, true) then
        submitted = submitted + 1
    else
        bad = bad + 1
    end
    next_draft = next_draft + 1
    if next_draft > #drafts then
        -- wrk sleeps for its whole -d: the marker tells the runner to interrupt it.
        io.open(prefix .. "." .. id .. ".done", "w"):close()
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local total_submitted, total_bad = 0, 0
    for _, thread in ipairs(threads) do
        total_submitted = total_submitted + thread:get("submitted")
        total_bad = total_bad + thread:get("bad")
    end
    local first, last = nil, 0
    for _, thread in ipairs(threads) do
        local f, l = thread:get("first_us"), thread:get("last_us")
        if f > 0 and (first == nil or f < first) then first = f end
        if l > last then last = l end
    end
    local e = summary.errors
    io.write(string.format(
        'RESULT {"requests": %d, "duration_us": %d, "active_us": %d, "submitted": %d, "unexpected": %d, '
            .. '"socket_errors": %d, "status_errors": %d, "p50_us": %d, "p99_us": %d}\n',
        summary.requests, summary.duration, last - (first or last), total_submitted, total_bad,
        e.connect + e.read + e.write + e.timeout, e.status,
        latency:percentile(50), latency:percentile(99)))
end
