-- Asks for the code actions of the vague rollback trigger, applies the quick
-- fix's workspace edit as `vim.lsp.buf.code_action()` would, writes the file
-- and prints the diagnostics of the edited version.
local common = dofile(vim.env.MIGPLAN_REPO .. '/test/nvim/common.lua')

common.run(function(holder)
  local s = common.start()
  holder.session = s
  common.wait_diagnostics(s)
  local before = common.diagnostics(s)

  local target
  for _, d in ipairs(vim.diagnostic.get(s.buf)) do
    local text = vim.api.nvim_buf_get_lines(s.buf, d.lnum, d.lnum + 1, false)[1] or ''
    if d.code == 'rollback-trigger' and text:find('if replication looks bad', 1, true) then
      target = d
    end
  end
  if not target then
    common.fail('no rollback-trigger diagnostic on the vague trigger: ' .. vim.json.encode(before))
  end

  -- As vim.lsp.buf.code_action() does: the cursor's position, the line's diagnostics (LSP form).
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  local params = vim.lsp.util.make_range_params()
  local line_diags = vim.lsp.diagnostic.get_line_diagnostics(s.buf, target.lnum, {}, s.client_id)
  params.context = {
    diagnostics = vim.tbl_filter(function(d) return d.code == 'rollback-trigger' end, line_diags),
  }
  local responses, err = vim.lsp.buf_request_sync(s.buf, 'textDocument/codeAction', params, common.timeout)
  if not responses then
    common.fail('textDocument/codeAction failed: ' .. tostring(err))
  end
  local response = responses[s.client_id] or {}
  if response.error then
    common.fail('textDocument/codeAction error: ' .. vim.json.encode(response.error))
  end
  local actions = response.result or {}

  local fix
  local summary = {}
  for _, a in ipairs(actions) do
    local shape = a.edit and (a.edit.documentChanges and 'documentChanges' or (a.edit.changes and 'changes' or 'empty')) or 'none'
    table.insert(summary, { title = a.title, kind = a.kind, isPreferred = a.isPreferred == true, edit = shape })
    -- The rule's fix, not the `# migplan-ignore` action the server offers next to it.
    if not fix and a.kind == 'quickfix' and a.edit and not a.title:find('^Ignore ') then
      fix = a
    end
  end
  if not fix then
    common.fail('no quick fix besides the ignore action among ' .. vim.json.encode(summary))
  end

  local client = vim.lsp.get_client_by_id(s.client_id)
  local version_before = vim.lsp.util.buf_versions[s.buf]
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
  if vim.lsp.util.buf_versions[s.buf] == version_before then
    common.fail('applying the edit did not change the buffer: ' .. vim.json.encode(fix.edit))
  end
  vim.cmd('silent write')
  local version = common.wait_diagnostics(s)

  common.emit({
    client = common.client_facts(s),
    server_pid = s.server_pid,
    complaints = s.complaints,
    actions = summary,
    applied = fix.title,
    version_before = version_before,
    version = version,
    modified = vim.bo[s.buf].modified,
    diagnostics_before = before,
    diagnostics = common.diagnostics(s),
  })
end)
