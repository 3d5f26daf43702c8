-- wrk script: POST distinct orders (a new Idempotency-Key and bill per request) to a
-- dropship-sim supplier, so every request is a real acceptance, not a replay.
--   wrk -t2 -c64 -d10s -s wrk-orders.lua http://127.0.0.1:9101/v1/orders
counter = 0
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid) -- a global of the thread's own Lua state
  next_tid = next_tid + 1
end

function request()
  counter = counter + 1
  local id = tid .. "-" .. counter
  local body = '{"idempotencyKey":"k' .. id .. '","order":{"source":"wrk","billNo":"B' .. id ..
    '"},"items":[{"entryID":"1","sku":"SKU-1","supplierSku":"S-1","quantity":1}]}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Idempotency-Key"] = "k" .. id}, body)
end
