import assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { codeOf, diagnosticsWith, fixtureUri, lineOf, migplan, migplanDiagnostics, openPlan, revertAndCloseAll, waitFor } from './helper';

suite('Diagnostics and quick fixes', () => {
  const uri = fixtureUri('problems.migplan.yaml');

  suiteSetup(async () => {
    await migplan();
  });
  suiteTeardown(revertAndCloseAll);

  test('reports the plan problems with the rule id as code and "migplan" as source, at their nodes', async () => {
    const editor = await openPlan('problems.migplan.yaml');
    const diags = await diagnosticsWith(uri, ['rollback-trigger', 'cutover-shadow-reads', 'cutover-soak']);
    for (const d of diags) assert.equal(d.source, 'migplan');

    const trigger = diags.find((d) => codeOf(d) === 'rollback-trigger')!;
    assert.equal(trigger.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(editor.document.getText(trigger.range), 'if replication looks bad');

    const shadow = diags.find((d) => codeOf(d) === 'cutover-shadow-reads')!;
    assert.equal(shadow.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(shadow.range.start.line, lineOf(editor.document, '    shadow_reads: false'));
    assert.equal(editor.document.getText(shadow.range), 'false');
  });

  test('a clean plan gets no diagnostics', async () => {
    const clean = fixtureUri('clean.migplan.yaml');
    await openPlan('clean.migplan.yaml');
    const api = await migplan();
    // The tree answers once the server has analysed the plan; its diagnostics were published by then.
    await waitFor('the clean plan to be analysed', () => api.treeItems().uri === clean.toString() && api.treeItems().rows.length > 0);
    assert.deepEqual(migplanDiagnostics(clean).map((d) => `${codeOf(d)} ${d.message}`), []);
  });

  test('a quick fix from the code action provider removes its diagnostic', async () => {
    const editor = await openPlan('problems.migplan.yaml');
    const diags = await diagnosticsWith(uri, ['cutover-shadow-reads']);
    const shadow = diags.find((d) => codeOf(d) === 'cutover-shadow-reads')!;

    const actions = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>('vscode.executeCodeActionProvider', uri, shadow.range);
    // The result mixes CodeActions and bare Commands (whose `command` is a string). The API command does not
    // carry a CodeAction's `diagnostics` across, so the fix is the quick fix whose edit rewrites the flagged value
    // (the other quick fix offered there, "ignore", inserts a comment above it).
    const fixes = actions.filter((a): a is vscode.CodeAction => typeof a.command !== 'string');
    const touches = (a: vscode.CodeAction): boolean => (a.edit?.get(uri) ?? []).some((e) => e.range.intersection(shadow.range) !== undefined && !e.range.isEmpty);
    const fix = fixes.find((a) => a.kind !== undefined && vscode.CodeActionKind.QuickFix.contains(a.kind) && touches(a));
    assert.ok(fix, `no quick fix for cutover-shadow-reads among: ${fixes.map((a) => `${a.title} (${a.kind?.value ?? 'no kind'})`).join(' | ')}`);

    if (fix.edit) assert.ok(await vscode.workspace.applyEdit(fix.edit), 'applyEdit refused the fix');
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));

    const line = lineOf(editor.document, '    shadow_reads: true');
    assert.ok(line > 0);
    await waitFor('the cutover-shadow-reads diagnostic to go', () => !migplanDiagnostics(uri).some((d) => codeOf(d) === 'cutover-shadow-reads'));
    // The others stay.
    const left = new Set(migplanDiagnostics(uri).map(codeOf));
    assert.ok(left.has('rollback-trigger') && left.has('cutover-soak'), [...left].join(', '));
  });
});
