-- wrk script: post a message into the channel of the URL (POST /api/v1/channels/{id}/messages).
local counter = 0
function request()
  counter = counter + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = wrk.headers["Authorization"]},
                    '{"body":"Status update ' .. counter .. ': the deck is on track for Friday."}')
end
