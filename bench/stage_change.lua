-- wrk script: move tasks between two stages with PATCH /api/v1/tasks/{id}, sending the version each
-- task has now (optimistic concurrency). Each thread works on its own slice of the task ids, so no
-- two requests race for one task; versions are read back from the responses.
local thread_count = 0
function setup(thread)
  thread:set("slice", thread_count)
  thread_count = thread_count + 1
end

local ids, versions, toggles, counter = {}, {}, {}, 0
local stage_a, stage_b, auth

function init(args)
  stage_a, stage_b = args[2], args[3]
  local threads = tonumber(args[4])
  local index = 0
  for line in io.lines(args[1]) do
    if index % threads == slice then
      table.insert(ids, line)
      versions[line] = 1
      toggles[line] = false
    end
    index = index + 1
  end
  auth = wrk.headers["Authorization"]
end

function request()
  counter = counter % #ids + 1
  local id = ids[counter]
  toggles[id] = not toggles[id]
  local stage = toggles[id] and stage_a or stage_b
  local body = '{"version":' .. versions[id] .. ',"stage_id":"' .. stage .. '"}'
  return wrk.format("PATCH", "/api/v1/tasks/" .. id, {["Content-Type"] = "application/json", ["Authorization"] = auth}, body)
end

function response(status, headers, body)
  local id = body:match('"task":{.-"id":"([^"]+)"')
  local version = body:match('"version":(%d+)')
  if id and version then versions[id] = tonumber(version) end
end
