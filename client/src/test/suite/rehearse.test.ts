import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { MigplanApi } from '../../extension';
import type { PlanTreeRow } from '../../planTree';
import type { RehearseOutcome } from '../../rehearse';
import { FIXTURES, codeOf, migplan, revertAndCloseAll, waitFor } from './helper';

/** examples/ (FIXTURES is client/testFixture). */
const EXAMPLE = path.resolve(FIXTURES, '..', '..', 'examples', 'split-user-name-postgres.migplan.yaml');
const ROLLBACK = 'ALTER TABLE users DROP COLUMN first_name, DROP COLUMN last_name;';
const PHASES = ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup'];

function rehearseDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'migplan rehearse');
}

async function open(file: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  return vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
}

/** The plan view's phase rows once it shows `uri`. */
function phaseRows(api: MigplanApi, uri: vscode.Uri): Promise<PlanTreeRow[]> {
  return waitFor(`the tree of ${path.basename(uri.fsPath)}`, () => {
    const t = api.treeItems();
    const rows = t.uri === uri.toString() ? t.rows.filter((r) => r.depth === 0 && PHASES.includes(r.label)) : [];
    return rows.length === PHASES.length ? rows : undefined;
  });
}

function cleanPhases(rows: PlanTreeRow[]): string[] {
  return rows.filter((r) => (r.description ?? '').includes('rehearsed clean')).map((r) => r.label);
}

suite('Rehearse', () => {
  let api: MigplanApi;
  let tmp: string | undefined;

  suiteSetup(async () => {
    api = await migplan();
    // Few rows: the rehearsal takes seconds (PGlite's start is most of it).
    await vscode.workspace.getConfiguration('migplan.rehearsal').update('rows', 300, vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    await revertAndCloseAll();
    await vscode.workspace.getConfiguration('migplan.rehearsal').update('rows', undefined, vscode.ConfigurationTarget.Global);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('contributes the command', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('migplan.rehearse'));
  });

  test('rehearses the example SQL plan with no findings; the plan view marks every phase clean and the preview shows the rehearsal', async function () {
    this.timeout(180_000);
    const editor = await open(EXAMPLE);
    const uri = editor.document.uri;
    const outcome = await vscode.commands.executeCommand<RehearseOutcome>('migplan.rehearse');
    assert.deepEqual(outcome, { status: 'done', uri: uri.toString(), diagnostics: 0 });
    assert.deepEqual(
      rehearseDiagnostics(uri).map((d) => `${codeOf(d)} ${d.message}`),
      [],
    );
    const rows = await waitFor('the phases marked rehearsed clean', async () => {
      const r = await phaseRows(api, uri);
      return cleanPhases(r).length === PHASES.length ? r : undefined;
    });
    assert.deepEqual(cleanPhases(rows), PHASES);

    await vscode.commands.executeCommand('migplan.preview.openToSide');
    const shown = await waitFor('the preview with the rehearsal', () => {
      const p = api.preview();
      return p && p.uri === uri.toString() && p.html.includes('<h2>Rehearsal</h2>') ? p : undefined;
    });
    assert.match(shown.html, /Rehearsed on PGlite \(PostgreSQL embedded\), PostgreSQL [\d.]+, with 300 rows/);
    await vscode.commands.executeCommand('workbench.action.closeAllGroups');
  });

  test('a broken rollback gives rehearse diagnostics, cleared as soon as the plan is edited', async function () {
    this.timeout(180_000);
    const text = fs.readFileSync(EXAMPLE, 'utf8');
    assert.ok(text.includes(ROLLBACK));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-rehearse-'));
    const file = path.join(tmp, 'broken-rollback.migplan.yaml');
    fs.writeFileSync(file, text.replace(ROLLBACK, 'ALTER TABLE users DROP COLUMN first_name;'));
    const editor = await open(file);
    const uri = editor.document.uri;

    const outcome = await vscode.commands.executeCommand<RehearseOutcome>('migplan.rehearse', uri);
    assert.equal(outcome?.status, 'done', JSON.stringify(outcome));
    const diags = rehearseDiagnostics(uri);
    assert.ok(diags.length > 0, 'rehearse diagnostics');
    assert.equal(outcome.diagnostics, diags.length);
    for (const d of diags) {
      assert.match(codeOf(d) ?? '', /^rehearse-/);
      // Its code links to the rule's packaged page.
      assert.ok(typeof d.code === 'object' && d.code !== null && d.code.target.path.endsWith(`/docs/rules/${codeOf(d)}.md`), `${codeOf(d)}: no link to its page`);
    }
    // The finding is in dual-write (its rollback_sql); the other phases ran clean.
    const rows = await waitFor('the phases marked rehearsed clean', async () => {
      const r = await phaseRows(api, uri);
      return cleanPhases(r).length > 0 ? r : undefined;
    });
    assert.deepEqual(cleanPhases(rows), PHASES.slice(1));

    // Any edit: the findings (and the marks) are gone.
    const ok = await editor.edit((e) => e.insert(new vscode.Position(editor.document.lineCount, 0), '# edited\n'));
    assert.ok(ok, 'the edit applied');
    await waitFor('the rehearse diagnostics to clear', () => rehearseDiagnostics(uri).length === 0, 10_000);
    await waitFor('the rehearsed-clean marks to go', () => api.treeItems().uri === uri.toString() && cleanPhases(api.treeItems().rows).length === 0, 10_000);
  });

  test('refuses a plan without a SQL dialect with one line', async function () {
    this.timeout(60_000);
    const plain = path.resolve(FIXTURES, 'clean.migplan.yaml');
    await open(plain);
    const outcome = await vscode.commands.executeCommand<RehearseOutcome>('migplan.rehearse');
    assert.equal(outcome?.status, 'error');
    assert.match(outcome.message ?? '', /no context\.dialect: postgresql/);
    assert.doesNotMatch(outcome.message ?? '', /\n/);
  });
});
