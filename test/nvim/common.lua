-- Shared by the headless Neovim (0.7+) scripts that drive migplan-language-server
-- as a real LSP client. Inputs come from the environment:
--   MIGPLAN_REPO        the repository root (bin/migplan-language-server.js)
--   MIGPLAN_PLAN        the plan file to open (in a temporary folder)
--   MIGPLAN_TIMEOUT_MS  how long to wait for the server at each step (default 15000)
-- Results go to stdout as one line `MIGPLAN_RESULT <json>`; a failure as
-- `MIGPLAN_ERROR <message>` on stderr and exit status 1.
local M = {}

M.repo = vim.env.MIGPLAN_REPO
M.plan = vim.env.MIGPLAN_PLAN
M.timeout = tonumber(vim.env.MIGPLAN_TIMEOUT_MS) or 15000

local function fail(message)
  error(message, 0)
end
M.fail = fail

function M.emit(result)
  io.stdout:write('MIGPLAN_RESULT ' .. vim.json.encode(result) .. '\n')
  io.stdout:flush()
end

--- The client's process has exited. (`vim.lsp.client_is_stopped` is already true
--- for a client that has not finished `initialize` in 0.7.)
local function gone(client_id)
  return vim.lsp.get_client_by_id(client_id) == nil
end

--- Opens the plan, starts the server and attaches it to the buffer.
--- Returns a session: buf, uri, client_id, the initialize params nvim sent,
--- and the publishDiagnostics notifications seen so far.
function M.start()
  if not M.repo or not M.plan then
    fail('MIGPLAN_REPO and MIGPLAN_PLAN must be set')
  end
  local s = { publishes = {}, complaints = {} }
  vim.cmd('edit ' .. vim.fn.fnameescape(M.plan))
  s.buf = vim.api.nvim_get_current_buf()
  -- Without an ftplugin nothing sets it; the languageId in didOpen comes from it.
  vim.bo[s.buf].filetype = 'migplan'
  s.uri = vim.uri_from_bufnr(s.buf)

  local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
  s.client_id = vim.lsp.start_client({
    name = 'migplan',
    cmd = { 'node', M.repo .. '/bin/migplan-language-server.js', '--stdio' },
    root_dir = vim.fn.fnamemodify(M.plan, ':p:h'),
    before_init = function(params)
      s.init_params = params
    end,
    on_init = function(client)
      s.initialized = true
      s.server_capabilities = client.server_capabilities
    end,
    handlers = {
      -- Errors and warnings the server logs or shows (type 1 or 2) are collected for the test.
      ['window/logMessage'] = function(_, result)
        if result and result.type <= 2 then
          table.insert(s.complaints, result.message)
        end
      end,
      ['window/showMessage'] = function(_, result)
        if result and result.type <= 2 then
          table.insert(s.complaints, result.message)
        end
      end,
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        local r = default_publish(err, result, ctx, config)
        table.insert(s.publishes, { uri = result.uri, version = result.version, count = #result.diagnostics })
        return r
      end,
    },
  })
  if not s.client_id then
    fail('vim.lsp.start_client returned nil')
  end
  if not vim.lsp.buf_attach_client(s.buf, s.client_id) then
    fail('vim.lsp.buf_attach_client failed')
  end
  local started = vim.wait(M.timeout, function()
    return s.initialized == true or gone(s.client_id)
  end, 20)
  if not s.initialized then
    fail(started and 'the server exited before answering initialize' or ('the server did not answer initialize within ' .. M.timeout .. ' ms'))
  end
  local client = vim.lsp.get_client_by_id(s.client_id)
  s.server_pid = client and client.rpc and client.rpc.pid
  return s
end

--- Waits until the server has published diagnostics for the buffer's current version.
function M.wait_diagnostics(s)
  local want = vim.lsp.util.buf_versions[s.buf]
  local ok = vim.wait(M.timeout, function()
    for _, p in ipairs(s.publishes) do
      if p.uri == s.uri and p.version == want then
        return true
      end
    end
    return false
  end, 10)
  if not ok then
    fail(string.format('no diagnostics for version %s within %d ms (published: %s)', tostring(want), M.timeout, vim.json.encode(s.publishes)))
  end
  return want
end

--- The buffer's diagnostics as Neovim stores them (0-based lnum/col).
function M.diagnostics(s)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(s.buf)) do
    table.insert(out, {
      code = d.code,
      source = d.source,
      severity = d.severity,
      message = d.message,
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
    })
  end
  return out
end

--- What nvim told the server about itself in `initialize`.
function M.client_facts(s)
  local ws = (s.init_params and s.init_params.capabilities and s.init_params.capabilities.workspace) or {}
  local we = ws.workspaceEdit or {}
  return {
    nvim = tostring(vim.version().major) .. '.' .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch),
    configuration = ws.configuration == true,
    documentChanges = we.documentChanges == true,
    didChangeWatchedFiles = ws.didChangeWatchedFiles ~= nil,
    rootUri = s.init_params and s.init_params.rootUri,
  }
end

--- Stops the server (shutdown + exit) and waits for its process to end.
local function stop(s)
  if not s or not s.client_id then
    return
  end
  vim.lsp.stop_client(s.client_id)
  if not vim.wait(M.timeout, function() return gone(s.client_id) end, 20) then
    vim.lsp.stop_client(s.client_id, true)
    vim.wait(2000, function() return gone(s.client_id) end, 20)
  end
end

--- Runs `main(session_holder)`, always stops the server, then quits nvim
--- with status 0 on success, 1 on failure.
function M.run(main)
  local holder = {}
  local ok, err = xpcall(function() main(holder) end, debug.traceback)
  local stopped_ok, stop_err = pcall(stop, holder.session)
  if ok and not stopped_ok then
    ok, err = false, 'stopping the server failed: ' .. tostring(stop_err)
  end
  if not ok then
    io.stderr:write('MIGPLAN_ERROR ' .. tostring(err) .. '\n')
    io.stderr:flush()
    vim.cmd('cquit!')
  else
    vim.cmd('qall!')
  end
end

return M
