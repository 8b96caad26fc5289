import assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { MigplanApi } from '../../extension';
import type { PlanTreeRow } from '../../planTree';
import { fixtureUri, lineOf, migplan, openPlan, revertAndCloseAll, waitFor } from './helper';

const PHASE_ICONS = ['git-compare', 'database', 'arrow-swap', 'verified', 'trash'];

function treeOf(api: MigplanApi, uri: vscode.Uri): Promise<PlanTreeRow[]> {
  return waitFor(`the tree of ${uri.path}`, () => {
    const t = api.treeItems();
    return t.uri === uri.toString() && t.rows.length > 0 ? t.rows : undefined;
  });
}

function text(row: PlanTreeRow): string {
  return `${row.label} ${row.description ?? ''}`;
}

suite('Migration Plan view', () => {
  let api: MigplanApi;

  suiteSetup(async () => {
    api = await migplan();
  });
  suiteTeardown(revertAndCloseAll);

  test('shows the phases of the active plan with kind icons, and the checklist all ticked on a clean plan', async () => {
    const uri = fixtureUri('clean.migplan.yaml');
    await openPlan('clean.migplan.yaml');
    const rows = await treeOf(api, uri);
    const phases = rows.filter((r) => r.depth === 0 && PHASE_ICONS.includes(r.icon));
    assert.deepEqual(
      phases.map((r) => r.icon),
      PHASE_ICONS,
    );
    for (const [i, id] of ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup'].entries()) assert.ok(text(phases[i]).includes(id), text(phases[i]));
    for (const p of phases) {
      assert.ok(p.hasCommand, `${p.label}: clicking reveals it`);
      assert.doesNotMatch(text(p), /problem/);
    }

    const checklistAt = rows.findIndex((r) => r.depth === 0 && r.icon === 'checklist');
    assert.ok(checklistAt >= 0, 'a checklist node');
    const items = rows.slice(checklistAt + 1).filter((r) => r.depth === 1);
    assert.equal(items.length, 7);
    for (const item of items) assert.deepEqual([item.icon, item.iconColor], ['pass', 'testing.iconPassed'], item.label);
  });

  test('follows the active editor, counts problems per phase and marks failed checklist items', async () => {
    const uri = fixtureUri('problems.migplan.yaml');
    await openPlan('problems.migplan.yaml');
    const rows = await waitFor('problem counts', async () => {
      const r = await treeOf(api, uri);
      return r.some((row) => /problem/.test(text(row))) ? r : undefined;
    });
    const backfill = rows.find((r) => r.depth === 0 && r.icon === 'database')!;
    assert.match(text(backfill), /\d+ problems?/);
    const failed = rows.filter((r) => r.icon === 'error' && r.iconColor === 'testing.iconFailed');
    assert.ok(failed.length >= 1, 'the trigger checklist item fails');
  });

  test('clicking a phase reveals it in the editor', async () => {
    const editor = await openPlan('problems.migplan.yaml');
    const rows = await treeOf(api, editor.document.uri);
    const cutover = rows.find((r) => r.depth === 0 && r.icon === 'arrow-swap')!;
    assert.ok(cutover.range);
    assert.equal(cutover.range.start.line, lineOf(editor.document, '  - id: cutover'));
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await vscode.commands.executeCommand('migplan.revealRange', editor.document.uri.toString(), cutover.range);
    const active = vscode.window.activeTextEditor!;
    assert.equal(active.document.uri.toString(), editor.document.uri.toString());
    assert.equal(active.selection.active.line, cutover.range.start.line);
  });

  test('updates when the plan changes', async () => {
    const editor = await openPlan('clean.migplan.yaml');
    const uri = editor.document.uri;
    await treeOf(api, uri);
    const line = lineOf(editor.document, '    shadow_reads: true');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(line, 18, line, 22), 'false');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('the cutover phase to count a problem', () => {
      const t = api.treeItems();
      const cutover = t.uri === uri.toString() ? t.rows.find((r) => r.depth === 0 && r.icon === 'arrow-swap') : undefined;
      return cutover && /problem/.test(text(cutover));
    });
  });
});
