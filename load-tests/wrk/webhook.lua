-- wrk script: POST the quickstart order to the webhook, each request with its own Idempotency-Key.
-- wrk -t2 -c64 -d30s -s load-tests/wrk/webhook.lua http://127.0.0.1:8080  (RUN_ID=... to separate runs)
local run = os.getenv("RUN_ID") or tostring(os.time())
local threads = {}
local counter = 0
local prefix = ""
local body = '{"id":"SO-1","currency":"EUR","customer":{"email":"ada@example.com","name":"Ada Lovelace"},'
  .. '"lines":[{"sku":"LAMP-01","qty":2,"price":19.5},{"sku":"BULB-E27","qty":4,"price":3.25}]}'

function setup(thread)
  thread:set("prefix", run .. "-" .. (#threads + 1))
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/webhooks/webshop/orders",
    { ["Content-Type"] = "application/json", ["Idempotency-Key"] = prefix .. "-" .. counter }, body)
end

function response(status)
  if status ~= 202 then
    wrk.thread:stop()
  end
end
