-- The respondent's way through the SCO questionnaire, one state machine per wrk thread.
--
-- Run every thread with exactly one connection (wrk -t N -c N), so that each thread is one
-- browser doing one request at a time. Two modes, chosen by the first script argument:
--
--   session  whole sessions as a browser does them: GET the consent page, POST consent,
--            GET and POST each of the five pages, GET the thank-you page; again and again.
--   prepare  the same up to and including the GET of the last page, then write what the
--            browser holds (cookies, CSRF token, the page's served stamp, its address and
--            name) as one line to  <out>.<thread>  (second argument <out>); submit.lua
--            replays it, so that each final submit has a draft of its own. The third
--            argument caps the drafts a thread prepares.
--
-- Arguments after "--": mode, out-prefix, per-thread cap, path prefix (default /en/s/sco-2025/).
--
-- What a browser does and a form-filling script would not, the client does too, so that the
-- server's real checks run and pass: it posts back each page's signed served stamp (paradata),
-- leaves the hidden honeypot field empty, sends back every cookie it was given, and answers the
-- "I am a person" page by posting its form as it is. Every simulated respondent is a person of
-- their own: a browser name of its own, and an address of its own from 198.18.0.0/15 (RFC 2544,
-- benchmarking) in X-Forwarded-For, which a server trusting loopback as its proxy counts, as it
-- counts real respondents' addresses behind the production proxy; the per-address throttles
-- and the same-client quality flags then see what they would see in the field.
--
-- wrk hands a response's headers to Lua as a table, in which a second Set-Cookie replaces the
-- first: the CSRF token is therefore read from the page's form (as a browser's form posts it),
-- and the cookie secret is unmasked from it the way Django does.

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
-- Runs follow each other against the same database: respondents of another run are others.
math.randomseed(os.time())
local run = math.random(0, 131071)

function setup(thread)
    thread:set("id", counter)
    thread:set("run", run)
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
local LAST = #PAGES
local THANKS = 2 * LAST + 2

function pick(list)
    return list[math.random(1, #list)]
end

-- Django's CSRF token: 32 characters of mask, then the secret shifted by the mask.
local CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

local function csrf_secret(token)
    if #token ~= 64 then return token end
    local secret = {}
    for i = 1, 32 do
        local c = string.find(CHARS, string.sub(token, 32 + i, 32 + i), 1, true)
        local m = string.find(CHARS, string.sub(token, i, i), 1, true)
        if not c or not m then return nil end
        local k = (c - m) % 62 + 1
        secret[i] = string.sub(CHARS, k, k)
    end
    return table.concat(secret)
end

local function escape(value)
    return (string.gsub(value, "[^%w%-%._~]", function(c)
        return string.format("%%%02X", string.byte(c))
    end))
end

-- The hidden inputs of the page's form, in order, as name=value pairs ready to post.
local function hidden_fields(body)
    local fields = {}
    for input in string.gmatch(body or "", "<input[^>]-type=\"hidden\"[^>]*>") do
        local name = string.match(input, 'name="([^"]+)"')
        local value = string.match(input, 'value="([^"]*)"') or ""
        if name then table.insert(fields, {name, value}) end
    end
    return fields
end

local function field(fields, name)
    for _, pair in ipairs(fields) do
        if pair[1] == name then return pair[2] end
    end
    return nil
end

function init(args)
    mode = args[1] or "session"
    out_prefix = args[2]
    cap = tonumber(args[3] or "0")
    base = args[4] or "/en/s/sco-2025/"
    math.randomseed(os.time() + id * 7919)
    sessions, prepared, bad, started, challenges = 0, 0, 0, 0, 0
    first_error = ""
    first_us, last_us = 0, 0
    if mode == "prepare" then
        out = assert(io.open(out_prefix .. "." .. id, "w"))
        out:setvbuf("line")  -- the runner watches the files grow to tell a stalled run
    end
    restart(false)
end

-- A new respondent: a new browser (no cookies) with a name and an address of its own.
function restart(count)
    if count then started = started + 1 end
    step, jar, token, stamp, gate = 0, {}, nil, "", nil
    agent = "wrk-respondent/" .. run .. "." .. id .. "." .. started
    local n = (run + id * 40503 + started) % 131072
    address = string.format("198.%d.%d.%d", 18 + math.floor(n / 65536),
        math.floor(n / 256) % 256, n % 256)
end

local function cookie_header()
    local parts = {}
    for name, value in pairs(jar) do table.insert(parts, name .. "=" .. value) end
    return table.concat(parts, "; ")
end

local function headers()
    local h = {["User-Agent"] = agent, ["X-Forwarded-For"] = address}
    local cookies = cookie_header()
    if cookies ~= "" then h["Cookie"] = cookies end
    return h
end

local function post(path, fields)
    local h = headers()
    h["Content-Type"] = "application/x-www-form-urlencoded"
    local body = {"csrfmiddlewaretoken=" .. escape(token)}
    for _, pair in ipairs(fields) do
        table.insert(body, escape(pair[1]) .. "=" .. escape(pair[2]))
    end
    return wrk.format("POST", path, h, table.concat(body, "&"))
end

local function page_fields(page, action)
    -- The served stamp goes back as the page's form sends it; the honeypot stays empty.
    local fields = {{"page_served", stamp}, {"website", ""}}
    for pair in string.gmatch(PAGES[page]() .. "&action=" .. action, "[^&]+") do
        local name, value = string.match(pair, "^([^=]+)=(.*)$")
        table.insert(fields, {name, value})
    end
    return fields
end

-- Steps of a session: 0 GET consent, 1 POST consent, then for page n (1..5) 2n GET page n
-- and 2n+1 POST page n, then 12 GET thanks. "prepare" stops after 10 (GET of the last page).
function request()
    if first_us == 0 then first_us = now_us() end
    if step == 0 then return wrk.format("GET", base, headers()) end
    if step == 1 then
        if gate then return post(base, gate) end
        return post(base, {{"consent", "on"}})
    end
    if step == THANKS then return wrk.format("GET", base .. "thanks/", headers()) end
    local page = math.floor(step / 2)
    if step % 2 == 0 then return wrk.format("GET", base .. "p/" .. page .. "/", headers()) end
    return post(base .. "p/" .. page .. "/", page_fields(page, page == LAST and "submit" or "next"))
end

local function remember_cookies(response_headers)
    for name, value in pairs(response_headers) do
        if string.lower(name) == "set-cookie" then
            local cookie, content = string.match(value, "^%s*([^=;]+)=([^;]*)")
            if cookie then jar[cookie] = content end
        end
    end
end

local STEP_NAMES = {[0] = "GET consent", [1] = "POST consent", [THANKS] = "GET thanks"}

local function failed(status, why)
    bad = bad + 1
    if first_error == "" then
        local name = STEP_NAMES[step]
            or ((step % 2 == 0 and "GET" or "POST") .. " page " .. math.floor(step / 2))
        first_error = name .. ": status " .. status .. (why and (", " .. why) or "")
    end
    restart(true)
end

function response(status, response_headers, body)
    last_us = now_us()
    remember_cookies(response_headers)
    if step == 1 and status == 429 then
        -- "I am a person": post the page's form as it is, once per respondent.
        local fields = hidden_fields(body)
        if gate or #fields == 0 then return failed(status, "person check not passed") end
        challenges = challenges + 1
        gate = {}
        for _, pair in ipairs(fields) do
            if pair[1] ~= "csrfmiddlewaretoken" then table.insert(gate, pair) end
        end
        return
    end
    local is_get = step == 0 or step == THANKS or (step >= 2 and step % 2 == 0)
    local expected = is_get and 200 or 302
    if status ~= expected then return failed(status) end
    if is_get then
        local fields = hidden_fields(body)
        local masked = field(fields, "csrfmiddlewaretoken")
        if masked then token = masked end
        stamp = field(fields, "page_served") or ""
        if step ~= THANKS and not token then return failed(status, "no CSRF token in the form") end
        if step >= 2 and step ~= THANKS and stamp == "" then
            return failed(status, "no served stamp in the page")
        end
        -- The cookie holds the secret; the form holds it masked.
        if token and not jar["csrftoken"] then jar["csrftoken"] = csrf_secret(token) end
    end
    if step == 1 and not jar["respondent"] then
        return failed(status, "no respondent cookie after consent")
    end
    if step == THANKS then
        sessions = sessions + 1
        return restart(true)
    end
    if mode == "prepare" and step == 2 * LAST then
        out:write(table.concat({cookie_header(), token, stamp, address, agent}, "\t") .. "\n")
        prepared = prepared + 1
        restart(true)
        if cap > 0 and prepared >= cap then
            out:close()
            -- wrk sleeps for its whole -d: the marker tells the runner to interrupt it.
            io.open(out_prefix .. "." .. id .. ".done", "w"):close()
            wrk.thread:stop()
        end
        return
    end
    step = step + 1
end

function done(summary, latency, requests)
    local total_sessions, total_prepared, total_bad, total_challenges = 0, 0, 0, 0
    local first, last, error_text = nil, 0, ""
    for _, thread in ipairs(threads) do
        total_sessions = total_sessions + thread:get("sessions")
        total_prepared = total_prepared + thread:get("prepared")
        total_bad = total_bad + thread:get("bad")
        total_challenges = total_challenges + thread:get("challenges")
        local f, l = thread:get("first_us"), thread:get("last_us")
        if f > 0 and (first == nil or f < first) then first = f end
        if l > last then last = l end
        if error_text == "" then error_text = thread:get("first_error") or "" end
    end
    local e = summary.errors
    io.write(string.format(
        'RESULT {"requests": %d, "duration_us": %d, "active_us": %d, "sessions": %d, "prepared": %d, '
            .. '"unexpected": %d, "challenges": %d, "socket_errors": %d, "status_errors": %d, '
            .. '"p50_us": %d, "p99_us": %d, "first_error": "%s"}\n',
        summary.requests, summary.duration, last - (first or last), total_sessions, total_prepared,
        total_bad, total_challenges, e.connect + e.read + e.write + e.timeout, e.status,
        latency:percentile(50), latency:percentile(99), string.gsub(error_text, '["\\]', "")))
end
