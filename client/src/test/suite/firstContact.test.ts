/**
 * What a newcomer meets: the status bar item, rule pages that open in the
 * Markdown preview (from the code link, the hover and the quick fix menu),
 * the walkthrough's commands and the preview's title-bar actions.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import { ciStep } from '../../walkthrough';
import { EXTENSION_ID, codeOf, diagnosticsWith, fixtureUri, migplan, migplanDiagnostics, openPlan, revertAndCloseAll, waitFor } from './helper';

function extensionRoot(): string {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension);
  return extension.extensionPath;
}

/** Tabs showing a webview of this view type (the Markdown preview's is `markdown.preview`), with their labels. */
function webviewTabs(viewType: string): string[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType))
    .map((t) => t.label);
}

function textTabs(uri: vscode.Uri): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
}

suite('First contact', () => {
  suiteSetup(async () => {
    await migplan();
  });
  teardown(revertAndCloseAll);

  test('the status bar item shows the active plan\'s checklist (passed of seven) and problems, and opens the plan view', async () => {
    const api = await migplan();
    const editor = await openPlan('problems.migplan.yaml');
    const uri = editor.document.uri;
    await diagnosticsWith(uri, ['rollback-trigger']);
    const expected = await waitFor('the status item to agree with the tree and the diagnostics', () => {
      const tree = api.treeItems();
      const checklist = tree.rows.slice(tree.rows.findIndex((r) => r.label === 'Quality checklist') + 1).filter((r) => r.depth === 1);
      if (tree.uri !== uri.toString() || checklist.length !== 7) return undefined;
      const passed = checklist.filter((r) => r.icon === 'pass').length;
      const all = vscode.languages.getDiagnostics(uri);
      const errors = all.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
      const warnings = all.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length;
      const text = [`$(checklist) ${passed}/7`, errors > 0 ? `$(error) ${errors}` : '', warnings > 0 ? `$(warning) ${warnings}` : ''].filter((s) => s !== '').join('  ');
      return api.status()?.text === text ? { text, passed, errors } : undefined;
    });
    assert.ok(expected.errors > 0, 'the fixture has errors');
    assert.ok(expected.passed < 7, 'the fixture fails checklist items');
    assert.match(api.status()!.tooltip, new RegExp(`Quality checklist: ${expected.passed} of 7 passed`));

    // A clean plan: every item passed, no problems.
    await openPlan('clean.migplan.yaml');
    await waitFor('the clean plan in the status bar', () => api.status()?.text === '$(checklist) 7/7  $(check)');

    // Another kind of file hides it.
    const other = await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'not a plan' });
    await vscode.window.showTextDocument(other);
    await waitFor('the status item hidden', () => api.status() === undefined);

    // Its command opens the Migration Plan view.
    assert.ok((await vscode.commands.getCommands(true)).includes('migplan.phases.focus'));
    await vscode.commands.executeCommand('migplan.phases.focus');
  });

  test('diagnostics link to the rule page shipped with the extension', async () => {
    const editor = await openPlan('problems.migplan.yaml');
    const diags = await diagnosticsWith(editor.document.uri, ['rollback-trigger']);
    for (const d of diags) {
      assert.ok(typeof d.code === 'object' && d.code !== null, `${codeOf(d)}: no code link`);
      const target = d.code.target;
      assert.equal(target.scheme, 'file');
      assert.equal(target.fsPath, path.join(extensionRoot(), 'docs', 'rules', `${codeOf(d)}.md`));
      assert.ok(fs.existsSync(target.fsPath), `${target.fsPath} does not exist`);
    }
  });

  test('Show Rule Documentation shows the page in the Markdown preview; an unknown rule is refused', async () => {
    const shown = await vscode.commands.executeCommand<vscode.Uri | undefined>('migplan.showRuleDoc', 'cutover-soak');
    assert.ok(shown);
    assert.equal(shown.fsPath, path.join(extensionRoot(), 'docs', 'rules', 'cutover-soak.md'));
    await waitFor('a Markdown preview of cutover-soak.md', () => webviewTabs('markdown.preview').some((l) => l.includes('cutover-soak')));
    assert.equal(await vscode.commands.executeCommand('migplan.showRuleDoc', '../../package'), undefined);
    assert.equal(await vscode.commands.executeCommand('migplan.showRuleDoc', 'no-such-rule'), undefined);
  });

  test('a rule page opened as text (a code link) turns into its preview', async () => {
    const page = vscode.Uri.file(path.join(extensionRoot(), 'docs', 'rules', 'backfill-batch-size.md'));
    await vscode.window.showTextDocument(page);
    await waitFor('the preview instead of the text', () => webviewTabs('markdown.preview').some((l) => l.includes('backfill-batch-size')) && textTabs(page).length === 0);
  });

  test('the hover on a diagnostic links to its page through the one trusted command', async () => {
    const editor = await openPlan('problems.migplan.yaml');
    const diags = await diagnosticsWith(editor.document.uri, ['rollback-trigger']);
    const d = diags.find((x) => codeOf(x) === 'rollback-trigger')!;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, d.range.start);
    const markdown = hovers.flatMap((h) => h.contents).filter((c): c is vscode.MarkdownString => c instanceof vscode.MarkdownString);
    const link = `[Rule documentation](command:migplan.showRuleDoc?${encodeURIComponent(JSON.stringify(['rollback-trigger']))})`;
    assert.ok(
      markdown.some((m) => m.value.includes(link)),
      `no link to the page in ${JSON.stringify(markdown.map((m) => m.value))}`,
    );
    assert.ok(!markdown.some((m) => m.value.includes('https://github.com/migplan/migplan/blob/main/docs/rules/rollback-trigger.md')), 'the repository link is still there');
  });

  test('the quick fix menu has each rule\'s documentation, and an applied fix reports itself', async () => {
    const editor = await openPlan('problems.migplan.yaml');
    const diags = await diagnosticsWith(editor.document.uri, ['rollback-trigger']);
    const fixable = diags.find((x) => codeOf(x) === 'rollback-trigger')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', editor.document.uri, fixable.range, vscode.CodeActionKind.QuickFix.value);
    const doc = actions.find((a) => a.title === 'Show documentation for rollback-trigger');
    assert.ok(doc, `no documentation action among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.deepEqual([doc.command?.command, doc.command?.arguments], ['migplan.showRuleDoc', ['rollback-trigger']]);
    const fix = actions.find((a) => a.edit !== undefined && !a.title.startsWith('Ignore') && !a.title.startsWith('Fix all'));
    assert.ok(fix, `no quick fix among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.equal(fix.command?.command, 'migplan.quickFixApplied');
    assert.ok((await vscode.commands.getCommands(true)).includes('migplan.quickFixApplied'));
    // Source actions (fix all on save) are left as the server made them.
    const source = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', editor.document.uri, fixable.range, vscode.CodeActionKind.SourceFixAll.value);
    assert.ok(source.every((a) => !a.title.startsWith('Show documentation')));
  });

  test('Open Example Plan opens an unsaved copy of the packaged example, checked like any plan', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('migplan.openExample');
    assert.ok(editor);
    assert.equal(editor.document.uri.scheme, 'untitled');
    assert.match(editor.document.uri.path, /^draft-rename-orders-total(-\d+)?\.migplan\.yaml$/);
    assert.equal(editor.document.languageId, 'migplan');
    assert.equal(editor.document.getText(), fs.readFileSync(path.join(extensionRoot(), 'examples', 'draft-rename-orders-total.migplan.yaml'), 'utf8'));
    await waitFor('diagnostics on the example', () => migplanDiagnostics(editor.document.uri).length > 5);
  });

  test('the preview of an untitled plan closes when the plan is closed without saving', async () => {
    const api = await migplan();
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('migplan.openExample');
    await vscode.commands.executeCommand('migplan.preview.openToSide');
    await waitFor('the preview of the example', () => api.preview()?.uri === editor.document.uri.toString());
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor('the preview closed', () => api.preview() === undefined && webviewTabs('migplan.preview').length === 0);
  });

  test('Copy a CI Step puts a GitHub Actions step running `migplan lint .` on the clipboard', async () => {
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('migplan.copyCiStep');
    const version = String((vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { version: string }).version);
    assert.equal(await vscode.env.clipboard.readText(), ciStep(version));
    assert.match(ciStep(version), /migplan lint \./);
  });

  test('the preview\'s title actions: Show Source focuses the plan; Export ignores the webview\'s own resource', async () => {
    const target = fixtureUri('clean.md');
    if (fs.existsSync(target.fsPath)) fs.rmSync(target.fsPath);
    try {
      const editor = await openPlan('clean.migplan.yaml');
      await vscode.commands.executeCommand('migplan.preview.openToSide');
      const api = await migplan();
      await waitFor('the preview', () => api.preview()?.uri === editor.document.uri.toString());
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor'); // the plan's editor
      await waitFor('the plan closed', () => textTabs(editor.document.uri).length === 0);
      const shown = await vscode.commands.executeCommand<vscode.TextEditor | undefined>('migplan.preview.showSource');
      assert.ok(shown);
      assert.equal(shown.document.uri.toString(), editor.document.uri.toString());
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), editor.document.uri.toString());
      // The editor title bar passes the active editor's resource: for the preview, the webview's.
      const written = await vscode.commands.executeCommand<vscode.Uri | undefined>('migplan.exportMarkdown', vscode.Uri.parse('webview-panel:webview-panel/webview-1'));
      assert.equal(written?.toString(), target.toString());
    } finally {
      if (fs.existsSync(target.fsPath)) fs.rmSync(target.fsPath);
    }
  });
});
