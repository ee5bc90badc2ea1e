-- post_event.lua — wrk script for bench/trace/run: each request POSTs one
-- distinct EPCIS ObjectEvent (no eventID, so the server computes its CBV 2.0
-- hash ID) to /epcis/events over keep-alive connections.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter = 0
local nonce
local headers

function init(args)
  nonce = os.time() % 100000
  headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
  }
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],' ..
    '"type":"ObjectEvent","action":"OBSERVE",' ..
    '"eventTime":"2025-03-01T%02d:%02d:%02d.%03d+08:00","eventTimeZoneOffset":"+08:00",' ..
    '"epcList":["urn:epc:id:sgtin:6901234.012345.%d%02d%d"],' ..
    '"bizStep":"shipping","disposition":"in_transit",' ..
    '"readPoint":{"id":"urn:epc:id:sgln:6901234.00001.0"}}',
    math.floor(counter / 3600000) % 24, math.floor(counter / 60000) % 60,
    math.floor(counter / 1000) % 60, counter % 1000,
    nonce, tid, counter)
  return wrk.format("POST", "/epcis/events", headers, body)
end

local bad = 0
function response(status, hdrs, body)
  if status ~= 201 then
    bad = bad + 1
    if bad <= 3 then
      io.stderr:write("unexpected " .. status .. ": " .. body .. "\n")
    end
  end
end
