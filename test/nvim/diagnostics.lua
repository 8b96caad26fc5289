-- Opens a plan, waits for the server's diagnostics and prints them with what
-- nvim sent in `initialize`.
local common = dofile(vim.env.MIGPLAN_REPO .. '/test/nvim/common.lua')

common.run(function(holder)
  local s = common.start()
  holder.session = s
  local version = common.wait_diagnostics(s)
  common.emit({
    client = common.client_facts(s),
    server_pid = s.server_pid,
    complaints = s.complaints,
    version = version,
    languageId = vim.bo[s.buf].filetype,
    diagnostics = common.diagnostics(s),
  })
end)
