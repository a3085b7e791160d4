-- wrk script: submit an approval request (POST /api/v1/approval-templates/{id}/requests) with a
-- fixed body; args: the template id.
local path
function init(args)
  path = "/api/v1/approval-templates/" .. args[1] .. "/requests"
end

function request()
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Authorization"] = wrk.headers["Authorization"]},
                    '{"values":{"item":"Standing desk","amount":1200}}')
end
