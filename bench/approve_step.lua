-- wrk script: approve the first step of pending requests, each once. args: a file of request ids
-- and the thread count; each thread takes its own slice of the ids.
local thread_count = 0
function setup(thread)
  thread:set("slice", thread_count)
  thread_count = thread_count + 1
end

local ids, counter = {}, 0

function init(args)
  local threads = tonumber(args[2])
  local index = 0
  for line in io.lines(args[1]) do
    if index % threads == slice then table.insert(ids, line) end
    index = index + 1
  end
end

function request()
  counter = counter + 1
  local id = ids[counter] or ids[#ids]
  return wrk.format("POST", "/api/v1/approval-requests/" .. id .. "/approve",
                    {["Content-Type"] = "application/json", ["Authorization"] = wrk.headers["Authorization"]}, '{}')
end
