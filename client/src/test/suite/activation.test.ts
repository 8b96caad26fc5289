import assert from 'node:assert/strict';
import { suite, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID, openPlan, revertAndCloseAll, waitFor } from './helper';

suite('Activation', () => {
  suiteTeardown(revertAndCloseAll);

  test('opening a *.migplan.yaml file gives it the migplan language and activates the extension', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} not found`);
    const editor = await openPlan('clean.migplan.yaml');
    assert.equal(editor.document.languageId, 'migplan');
    // No explicit activate(): the onLanguage:migplan activation event must do it.
    await waitFor('the extension to activate', () => extension.isActive, 20_000);
    const api = extension.exports as { activationMs?: number } | undefined;
    assert.equal(typeof api?.activationMs, 'number');
    // A figure for the benchmark notes (read by test/e2e/exthost.test.ts), not a timed assertion.
    console.log(`MIGPLAN_METRIC activationMs=${api!.activationMs!.toFixed(1)}`);
  });

  test('contributes its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['migplan.preview.openToSide', 'migplan.exportMarkdown', 'migplan.newPlan', 'migplan.restartServer', 'migplan.revealRange']) {
      assert.ok(commands.includes(id), id);
    }
  });
});
