-- wrk script for bench/api_load.py. Configured by environment variables, read when the script
-- loads (wrk decides from the main Lua state whether requests are static or built per request):
--   BENCH_MODE    get   | a fixed request (the URL's path) with the bearer token: built once
--                 walk  | GET BENCH_PATH .. id, id walking 1..BENCH_COUNT (threads interleave)
--                 put   | PUT price on distinct products from BENCH_DATA ("id version a b" lines)
--                 login | POST /api/auth/login, cycling over BENCH_DATA ("email password" lines)
--   BENCH_TOKEN   access token (get, walk, put)      BENCH_THREADS  wrk's -t
-- done() prints one line "BENCH_JSON {...}" that api_load.py parses.

local mode = os.getenv("BENCH_MODE") or "get"
local token = os.getenv("BENCH_TOKEN")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local next_tid = 0

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
end

local function read_lines(path)
   local rows = {}
   for line in io.lines(path) do
      local fields = {}
      for field in line:gmatch("%S+") do
         fields[#fields + 1] = field
      end
      rows[#rows + 1] = fields
   end
   return rows
end

local function mine(rows)
   -- Thread t takes rows t, t+n, t+2n, ...: no two threads ever touch the same row.
   local kept = {}
   for i = tid + 1, #rows, nthreads do
      kept[#kept + 1] = rows[i]
   end
   return kept
end

function init(args)
   if token then
      wrk.headers["Authorization"] = "Bearer " .. token
   end
   if mode == "put" or mode == "login" then
      wrk.headers["Content-Type"] = "application/json"
      rows = mine(read_lines(os.getenv("BENCH_DATA")))
      position = 0
   elseif mode == "walk" then
      base = os.getenv("BENCH_PATH")
      count = tonumber(os.getenv("BENCH_COUNT"))
      position = tid
   end
end

if mode == "walk" then
   function request()
      local id = position % count + 1
      position = position + nthreads
      return wrk.format("GET", base .. id)
   end
elseif mode == "put" then
   -- Pass k over the rows sets price a (even k) or b (odd k) at version v + k: each pass
   -- changes every product once, so the If-Match of the next pass is known in advance.
   -- Before the run, wrk calls request() once on its first thread to check what it builds
   -- (script_verify_request) and never sends that request: it must not use up a row, or that
   -- product's next pass carries a stale If-Match (a 412 once per run, always thread 0's first).
   local check_call = nil -- decided at the first call: tid is set after this file loads
   function request()
      local row = rows[position % #rows + 1]
      local pass = math.floor(position / #rows)
      if check_call == nil then
         check_call = tid == 0
      end
      if check_call then
         check_call = false
      else
         position = position + 1
      end
      local version = tonumber(row[2]) + pass
      local price = (pass % 2 == 0) and row[3] or row[4]
      local headers = {}
      for name, value in pairs(wrk.headers) do
         headers[name] = value
      end
      headers["If-Match"] = '"' .. version .. '"'
      local body = '{"price":"' .. price .. '","reason":"bench"}'
      return wrk.format("PUT", "/api/products/" .. row[1] .. "/price", headers, body)
   end
elseif mode == "login" then
   function request()
      local row = rows[position % #rows + 1]
      position = position + 1
      local body = '{"email":"' .. row[1] .. '","password":"' .. row[2] .. '"}'
      return wrk.format("POST", "/api/auth/login", nil, body)
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
         .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
         .. '"latency_us":{"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(95),
      latency:percentile(99), latency.max, latency.mean))
end
