-- The respondent's way through the SCO questionnaire, one state machine per wrk thread.
--
-- Run every thread with exactly one connection (wrk -t N -c N), so that each thread is one
-- browser doing one request at a time. Two modes, chosen by the first script argument:
--
--   session  whole sessions as a browser does them: GET the consent page, POST consent,
--            GET and POST each of the five pages, GET the thank-you page; again and again.
--   prepare  stop each session just before its final submit and write the session cookie and
--            CSRF token to  <out>.<thread>  (second argument <out>); the submit script
--            replays them, so that each final submit has a draft of its own. The third
--            argument caps the drafts a thread prepares.
--
-- Arguments after "--": mode, out-prefix, per-thread cap, path prefix (default /en/s/sco-2025/).

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

local PAGES = {
    function() return "awareness=" .. pick({"yes_fully", "partially", "no", "hard_to_say"})
        .. "&impact=" .. pick({"strongly_positive", "moderately_positive", "neutral", "hard_to_say"})
        .. "&initiatives=" .. pick({"very_effective", "fairly_effective", "not_familiar"}) end,
    function() return "platforms=telegram&platforms=" .. pick({"youtube", "instagram", "vk"})
        .. "&trust=" .. pick({"definitely_yes", "rather_yes", "rather_no", "hard_to_say"}) end,
    function() return "threats=" .. pick({"cyberattacks", "disinformation", "data_loss"})
        .. "&conflict_prevention=fast_exchange&conflict_prevention=build_trust" end,
    function() return "country=" .. pick({"kz", "ru", "by", "uz", "kg"})
        .. "&age_group=" .. pick({"under_30", "under_30", "30_39", "40_49"})
        .. "&gender=" .. pick({"female", "male"})
        .. "&status=" .. pick({"student", "employed"})
        .. "&sphere=" .. pick({"education", "public_administration", "it"}) end,
    function() return "network_size=" .. math.random(1, 300) end,
}

function pick(list)
    return list[math.random(1, #list)]
end

function init(args)
    mode = args[1] or "session"
    out_prefix = args[2]
    cap = tonumber(args[3] or "0")
    base = args[4] or "/en/s/sco-2025/"
    math.randomseed(os.time() + id * 7919)
    step, csrf, session = 0, nil, nil
    sessions, prepared, bad, started = 0, 0, 0, 0
    agent = "wrk-respondent/" .. id .. ".0"
    first_us, last_us = 0, 0
    if mode == "prepare" then
        out = assert(io.open(out_prefix .. "." .. id, "w"))
    end
end

local function cookies()
    local jar = "csrftoken=" .. csrf
    if session then jar = jar .. "; respondent=" .. session end
    return jar
end

-- Every simulated respondent has a browser of its own: the questionnaire-start rate limit
-- and the same-client flag count per address and browser, as they would for real people.
local function post(path, body)
    return wrk.format("POST", path, {
        ["Cookie"] = cookies(),
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["User-Agent"] = agent,
    }, "csrfmiddlewaretoken=" .. csrf .. "&" .. body)
end

local function get(path)
    local headers = {["User-Agent"] = agent}
    if csrf then headers["Cookie"] = cookies() end
    return wrk.format("GET", path, headers)
end

-- Steps of a browsing session: 0 GET consent, 1 POST consent, then for page n (1..5)
-- 2n GET page n and 2n+1 POST page n, then 12 GET thanks. "prepare" skips the page GETs.
function request()
    if first_us == 0 then first_us = now_us() end
    if step == 0 then return get(base) end
    if step == 1 then return post(base, "consent=on") end
    if step == 12 then return get(base .. "thanks/") end
    local page = math.floor(step / 2)
    if step % 2 == 0 then return get(base .. "p/" .. page .. "/") end
    local action = page == 5 and "submit" or "next"
    return post(base .. "p/" .. page .. "/", PAGES[page]() .. "&action=" .. action)
end

local function remember_cookies(headers)
    for name, value in pairs(headers) do
        if string.lower(name) == "set-cookie" then
            local token = string.match(value, "csrftoken=([^;]+)")
            if token then csrf = token end
            local sid = string.match(value, "respondent=([^;]+)")
            if sid then session = sid end
        end
    end
end

local function restart()
    step, csrf, session = 0, nil, nil
    started = started + 1
    agent = "wrk-respondent/" .. id .. "." .. started
end

function response(status, headers, body)
    last_us = now_us()
    remember_cookies(headers)
    local expected = (step == 0 or step == 12 or (step >= 2 and step % 2 == 0)) and 200 or 302
    if status ~= expected or not csrf then
        bad = bad + 1
        restart()
        return
    end
    if step == 12 then
        sessions = sessions + 1
        restart()
        return
    end
    if mode == "prepare" and step == 9 then
        out:write(session .. "\t" .. csrf .. "\n")
        prepared = prepared + 1
        restart()
        if cap > 0 and prepared >= cap then
            out:close()
            -- wrk sleeps for its whole -d: the marker tells the runner to interrupt it.
            io.open(out_prefix .. "." .. id .. ".done", "w"):close()
            wrk.thread:stop()
        end
        return
    end
    step = step + 1
    if mode == "prepare" and step >= 2 and step % 2 == 0 then step = step + 1 end
end

function done(summary, latency, requests)
    local total_sessions, total_prepared, total_bad = 0, 0, 0
    for _, thread in ipairs(threads) do
        total_sessions = total_sessions + thread:get("sessions")
        total_prepared = total_prepared + thread:get("prepared")
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
        'RESULT {"requests": %d, "duration_us": %d, "active_us": %d, "sessions": %d, "prepared": %d, '
            .. '"unexpected": %d, "socket_errors": %d, "status_errors": %d, '
            .. '"p50_us": %d, "p99_us": %d}\n',
        summary.requests, summary.duration, last - (first or last), total_sessions, total_prepared, total_bad,
        e.connect + e.read + e.write + e.timeout, e.status,
        latency:percentile(50), latency:percentile(99)))
end
