-- Argo CD health check for dropship.dev OrderSource, Supplier and RoutingPolicy.
-- Healthy:     Ready=True and status.observedGeneration == metadata.generation
-- Progressing: the operator has not observed the current generation, or Reconciling=True,
--              or Ready is Unknown / missing
-- Degraded:    Stalled=True, or Ready=False
-- Suspended:   spec.suspend is true
local hs = { status = "Progressing", message = "Waiting for the operator to report status" }
if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Suspended by spec.suspend"
  return hs
end
if obj.status == nil then
  return hs
end
local ready, reconciling, stalled = nil, nil, nil
if obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" then
      ready = c
    elseif c.type == "Reconciling" then
      reconciling = c
    elseif c.type == "Stalled" then
      stalled = c
    end
  end
end
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = stalled.message or "Stalled"
  return hs
end
local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end
if reconciling ~= nil and reconciling.status == "True" then
  hs.message = reconciling.message or "Reconciling"
  return hs
end
if ready == nil then
  return hs
end
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or "Ready"
elseif ready.status == "False" then
  hs.status = "Degraded"
  hs.message = ready.message or "Not ready"
else
  hs.message = ready.message or "Ready is Unknown"
end
return hs
