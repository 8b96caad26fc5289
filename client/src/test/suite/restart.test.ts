/**
 * The language server dies (SIGKILL) under a running editor: vscode-languageclient's default
 * error handler restarts it (up to 4 restarts within 3 minutes, then it gives up with a message),
 * the new server is given the open plans as they are now, and diagnostics come back.
 */
import assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { SERVER_NODE_OPTIONS, type ServerInfoResult } from '../../../../server/src/protocol';
import type { MigplanApi } from '../../extension';
import { EXTENSION_ID, codeOf, diagnosticsWith, fixtureUri, lineOf, migplan, migplanDiagnostics, openPlan, revertAndCloseAll, waitFor } from './helper';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function codes(uri: vscode.Uri): string[] {
  return [...new Set(migplanDiagnostics(uri).map(codeOf))].filter((c): c is string => c !== undefined).sort();
}

suite('Language server restart', () => {
  let api: MigplanApi;
  const uri = fixtureUri('problems.migplan.yaml');

  suiteSetup(async () => {
    api = await migplan();
  });
  suiteTeardown(revertAndCloseAll);

  /** The server's info, or undefined while the client cannot answer (restarting). */
  async function info(): Promise<ServerInfoResult | undefined> {
    try {
      return await api.serverInfo();
    } catch {
      return undefined;
    }
  }

  /** Waits for a server other than `pid` to answer. */
  function newServer(pid: number): Promise<ServerInfoResult> {
    return waitFor(`a language server other than pid ${pid}`, async () => {
      const i = await info();
      return i && i.pid !== pid ? i : undefined;
    });
  }

  async function setShadowReads(editor: vscode.TextEditor, value: 'true' | 'false'): Promise<void> {
    const from = value === 'true' ? 'false' : 'true';
    const line = lineOf(editor.document, `    shadow_reads: ${from}`);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(editor.document.uri, editor.document.lineAt(line).range, `    shadow_reads: ${value}`);
    assert.ok(await vscode.workspace.applyEdit(edit), 'applyEdit refused');
  }

  test('migplan/serverInfo names the running server process and its version', async () => {
    const i = await api.serverInfo();
    assert.ok(Number.isInteger(i.pid) && i.pid > 0 && i.pid !== process.pid, `pid ${i.pid}`);
    assert.ok(alive(i.pid), 'the process exists');
    const packageJson = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { version?: string } | undefined;
    assert.equal(i.version, packageJson?.version);
    // VS Code's own Node runs the server with the heap bounds the shebang of the command gives it too.
    assert.deepEqual(i.execArgv.filter((a) => SERVER_NODE_OPTIONS.includes(a)), [...SERVER_NODE_OPTIONS]);
  });

  test('a killed server is restarted, is given the plan as edited meanwhile, and publishes its diagnostics', async () => {
    const editor = await openPlan('problems.migplan.yaml');
    await diagnosticsWith(uri, ['rollback-trigger', 'cutover-shadow-reads', 'cutover-soak']);
    const before = codes(uri);
    const old = await api.serverInfo();

    process.kill(old.pid, 'SIGKILL');
    // Edited while the server is down (or coming back up): the new server must see the edit once, not lose or repeat it.
    await setShadowReads(editor, 'true');
    await waitFor('the killed server to be gone', () => !alive(old.pid));

    const next = await newServer(old.pid);
    assert.ok(alive(next.pid));
    const expected = before.filter((c) => c !== 'cutover-shadow-reads');
    await waitFor(`diagnostics ${expected.join(', ')} from the new server`, () => JSON.stringify(codes(uri)) === JSON.stringify(expected), 30_000);

    // It keeps checking as the plan is edited.
    await setShadowReads(editor, 'false');
    await waitFor('cutover-shadow-reads back after the edit', () => JSON.stringify(codes(uri)) === JSON.stringify(before), 30_000);
    const shadow = migplanDiagnostics(uri).find((d) => codeOf(d) === 'cutover-shadow-reads')!;
    assert.equal(editor.document.getText(shadow.range), 'false');
  });

  test('a second crash is restarted too, and "Restart Language Server" starts a fresh one', async () => {
    await openPlan('problems.migplan.yaml');
    const first = await api.serverInfo();
    process.kill(first.pid, 'SIGKILL');
    const second = await newServer(first.pid);
    await diagnosticsWith(uri, ['rollback-trigger', 'cutover-shadow-reads', 'cutover-soak']);

    await vscode.commands.executeCommand('migplan.restartServer');
    const third = await newServer(second.pid);
    await waitFor('the replaced server to exit', () => !alive(second.pid));
    assert.ok(alive(third.pid));
    await diagnosticsWith(uri, ['rollback-trigger', 'cutover-shadow-reads', 'cutover-soak']);
    // The tree view asks the new server (it reloads when the client reports it is running).
    await waitFor('the phase tree from the new server', () => api.treeItems().uri === uri.toString() && api.treeItems().rows.length > 0);
  });
});
