import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { MigplanApi } from '../../extension';
import type { PlanTreeRow } from '../../planTree';
import { codeOf, diagnosticsWith, FIXTURES, lineOf, migplan, openPlan, revertAndCloseAll, waitFor } from './helper';

const TRIGGERS = 'rollback triggers have specific thresholds';
const ROLLBACK = 'the rollback plan covers every phase, including the point of no return';
const CONSUMERS = 'downstream consumers are cataloged with their migration path';

/** The checklist item labelled `label` in the tree of `uri`, once `ready` holds for it. */
function checklistItem(api: MigplanApi, uri: vscode.Uri, label: string, ready: (row: PlanTreeRow) => boolean): Promise<PlanTreeRow> {
  return waitFor(`checklist item '${label}' of ${path.basename(uri.fsPath)}`, () => {
    const t = api.treeItems();
    if (t.uri !== uri.toString()) return undefined;
    const checklistAt = t.rows.findIndex((r) => r.depth === 0 && r.icon === 'checklist');
    const row = checklistAt < 0 ? undefined : t.rows.slice(checklistAt + 1).find((r) => r.depth === 1 && r.label === label);
    return row && ready(row) ? row : undefined;
  });
}

/** Scrolls the editor to the top with the cursor there, then runs the row's command as a click does. */
async function click(editor: vscode.TextEditor, row: PlanTreeRow): Promise<vscode.TextEditor> {
  editor.selection = new vscode.Selection(0, 0, 0, 0);
  editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
  assert.ok(row.command, `'${row.label}' has no command`);
  await vscode.commands.executeCommand(row.command.command, ...row.command.arguments);
  const active = vscode.window.activeTextEditor;
  assert.ok(active, 'an active editor after the click');
  assert.equal(active.document.uri.toString(), editor.document.uri.toString());
  return active;
}

/** Waits until `line` is in view (the editor scrolled to it). */
async function inView(editor: vscode.TextEditor, line: number): Promise<void> {
  await waitFor(`line ${line + 1} in view`, () => editor.visibleRanges.some((r) => r.start.line <= line && line <= r.end.line), 5_000);
}

suite('Checklist reveal', () => {
  // A copy of the clean fixture without its point of no return, so that nothing here changes the fixtures.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-checklist-'));
  const noPonr = vscode.Uri.file(path.join(dir, 'no-ponr.migplan.yaml'));
  let api: MigplanApi;

  suiteSetup(async () => {
    const clean = fs.readFileSync(path.join(FIXTURES, 'clean.migplan.yaml'), 'utf8');
    const without = clean.replace(/^point_of_no_return: .*\r?\n?/m, '');
    assert.notEqual(without, clean, 'the clean fixture names a point of no return');
    fs.writeFileSync(noPonr.fsPath, without);
    api = await migplan();
  });
  suiteTeardown(async () => {
    await revertAndCloseAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('clicking a failing checklist item selects its first problem and scrolls to it', async () => {
    const editor = await openPlan('problems.migplan.yaml');
    const row = await checklistItem(api, editor.document.uri, TRIGGERS, (r) => r.icon === 'error');
    const active = await click(editor, row);
    const line = lineOf(active.document, '      - when: if replication looks bad');
    assert.equal(active.selection.start.line, line);
    assert.equal(active.document.getText(active.selection), 'if replication looks bad');
    await inView(active, line);
  });

  test('clicking a failing item whose section is missing selects where it belongs, not the first key', async () => {
    const document = await vscode.workspace.openTextDocument(noPonr);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
    const row = await checklistItem(api, noPonr, ROLLBACK, (r) => r.icon === 'error');
    const active = await click(editor, row);
    // point_of_no_return is written after the phases: its diagnostic, and the click, go to `phases`.
    const line = lineOf(active.document, 'phases:');
    assert.equal(active.selection.start.line, line);
    assert.equal(active.document.getText(active.selection), 'phases');
    await inView(active, line);
    const [ponr] = (await diagnosticsWith(noPonr, ['point-of-no-return'])).filter((d) => codeOf(d) === 'point-of-no-return');
    assert.equal(ponr.range.start.line, line, 'the diagnostic is where the click goes');
  });

  test('clicking a passing item selects its section', async () => {
    const editor = await openPlan('problems.migplan.yaml');
    const row = await checklistItem(api, editor.document.uri, CONSUMERS, (r) => r.icon === 'pass');
    const active = await click(editor, row);
    const line = lineOf(active.document, 'consumers:');
    assert.equal(active.selection.start.line, line);
    assert.equal(active.document.getText(active.selection), 'consumers');
    await inView(active, line);
  });
});
