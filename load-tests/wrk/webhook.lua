-- wrk script: POST the quickstart order to the webhook, each request with its own Idempotency-Key, and count the answers.
--   RUN_ID=run1 wrk -t1 -c64 -d30s -s load-tests/wrk/webhook.lua --latency http://127.0.0.1:8080
-- Use a new RUN_ID for every run against the same journal, or the keys are duplicates (answered 200, nothing delivered).
local run = os.getenv("RUN_ID") or tostring(os.time())
local threads = {}
local body = '{"id":"SO-1","currency":"EUR","customer":{"email":"ada@example.com","name":"Ada Lovelace"},'
  .. '"lines":[{"sku":"LAMP-01","qty":2,"price":19.5},{"sku":"BULB-E27","qty":4,"price":3.25}]}'

-- Globals of each thread's own Lua state; setup() runs in the main state and sets them per thread.
prefix = ""
counter = 0
accepted = 0
duplicates = 0
others = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("prefix", run .. "-" .. #threads)
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/webhooks/webshop/orders",
    { ["Content-Type"] = "application/json", ["Idempotency-Key"] = prefix .. "-" .. counter }, body)
end

function response(status)
  if status == 202 then accepted = accepted + 1
  elseif status == 200 then duplicates = duplicates + 1
  else others = others + 1 end
end

function done()
  local a, d, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("accepted"); d = d + thread:get("duplicates"); o = o + thread:get("others")
  end
  io.write(string.format("answers: 202 accepted %d, 200 duplicate %d, other %d\n", a, d, o))
end
