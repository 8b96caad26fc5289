import assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { PLAN_TEMPLATE } from '../../../../server/src/service/linting/planTemplate';
import { diagnosticsWith, fixtureUri, migplan, openPlan, revertAndCloseAll, waitFor } from './helper';

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

suite('Commands', () => {
  suiteSetup(async () => {
    await migplan();
  });
  suiteTeardown(revertAndCloseAll);

  test('New Plan opens an untitled plan with the template', async () => {
    await vscode.commands.executeCommand('migplan.newPlan');
    const editor = await waitFor('an untitled plan', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.isUntitled && e.document.languageId === 'migplan' ? e : undefined;
    });
    assert.equal(editor.document.getText(), PLAN_TEMPLATE);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('Export as Markdown writes <plan>.md next to the plan', async () => {
    const target = fixtureUri('clean.md');
    if (await exists(target)) await vscode.workspace.fs.delete(target);
    try {
      await openPlan('clean.migplan.yaml');
      const written = await vscode.commands.executeCommand<vscode.Uri | undefined>('migplan.exportMarkdown');
      assert.ok(written, 'the command reports the file it wrote');
      assert.equal(written.toString(), target.toString());
      const markdown = Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
      assert.match(markdown, /^# Split users\.name into first_name and last_name\n/);
      assert.match(markdown, /## Quality checklist/);
    } finally {
      if (await exists(target)) await vscode.workspace.fs.delete(target);
    }
  });

  test('Restart Language Server brings the diagnostics back', async () => {
    const uri = fixtureUri('problems.migplan.yaml');
    await openPlan('problems.migplan.yaml');
    await diagnosticsWith(uri, ['cutover-soak']);
    await vscode.commands.executeCommand('migplan.restartServer');
    const api = await migplan();
    await api.ready();
    await diagnosticsWith(uri, ['cutover-soak', 'rollback-trigger']);
  });
});
