-- wrk script: PATCH the caller's own title with a new value each request (one write + one event each).
counter = 0
request = function()
  counter = counter + 1
  local body = '{"title":"Title ' .. counter .. '-' .. math.random(1, 1000000000) .. '"}'
  return wrk.format("PATCH", wrk.path, {["Content-Type"] = "application/json", ["Authorization"] = wrk.headers["Authorization"]}, body)
end
