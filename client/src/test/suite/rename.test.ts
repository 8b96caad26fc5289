import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { FIXTURES, lineOf, migplan, revertAndCloseAll } from './helper';

suite('Rename', () => {
  // A copy of the clean fixture, so that nothing here can change the fixtures.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-rename-'));
  const copy = vscode.Uri.file(path.join(dir, 'rename.migplan.yaml'));

  suiteSetup(async () => {
    fs.copyFileSync(path.join(FIXTURES, 'clean.migplan.yaml'), copy.fsPath);
    await migplan();
  });
  suiteTeardown(async () => {
    await revertAndCloseAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('renaming a phase id also renames point_of_no_return; a name the format does not allow is refused', async () => {
    const document = await vscode.workspace.openTextDocument(copy);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
    assert.equal(document.languageId, 'migplan');
    const idLine = lineOf(document, '  - id: cleanup');
    const ponrLine = lineOf(document, 'point_of_no_return: cleanup');

    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', copy, new vscode.Position(idLine, 10), 'new-id');
    assert.ok(edit, 'the rename provider answered');
    const edits = edit.get(copy);
    assert.deepEqual(
      edits.map((e) => [e.range.start.line, e.range.start.character, e.range.end.character, e.newText]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [idLine, 8, 15, 'new-id'],
        [ponrLine, 20, 27, 'new-id'],
      ],
    );
    for (const e of edits) assert.equal(document.getText(e.range), 'cleanup');
    assert.equal(edit.entries().length, 1, 'only this document changes');

    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', copy, new vscode.Position(ponrLine, 22), 'New Id')),
      /not a valid phase id/,
    );
  });
});
