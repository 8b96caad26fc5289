import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { FIXTURES, codeOf, diagnosticsWith, migplan, migplanDiagnostics, revertAndCloseAll, waitFor } from './helper';

const REPORT_COMMAND = 'migplan.fixAll.report';

suite('Fix all from the lightbulb, and what it changed', () => {
  // A copy of the problems fixture without the sign-off: four fixable problems, one of whose fixes writes a placeholder.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-fixall-'));
  const copy = vscode.Uri.file(path.join(dir, 'fixall.migplan.yaml'));
  /**
   * The information messages shown. The language client shows a server's window/showMessage with
   * vscode.window.showInformationMessage of this extension's API object, which its tests share: wrapped
   * here to see the notification (the workbench's notifications cannot be read from an extension).
   */
  const shown: string[] = [];
  const windowApi = vscode.window as unknown as Record<string, unknown>;
  const original = windowApi.showInformationMessage;

  suiteSetup(async () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'problems.migplan.yaml'), 'utf8');
    const withoutSignOff = text.replace(/^ {4}sign_off: .*\n/m, '');
    assert.notEqual(withoutSignOff, text, 'the fixture has a sign-off to remove');
    fs.writeFileSync(copy.fsPath, withoutSignOff);
    windowApi.showInformationMessage = (message: string, ...rest: unknown[]): unknown => {
      shown.push(message);
      return (original as (...args: unknown[]) => unknown).call(vscode.window, message, ...rest);
    };
    await migplan();
  });
  suiteTeardown(async () => {
    windowApi.showInformationMessage = original;
    await revertAndCloseAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the quick-fix list offers "Fix all" after a problem\'s own fix; it fixes every problem and says what it changed', async () => {
    const document = await vscode.workspace.openTextDocument(copy);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
    const diags = await diagnosticsWith(copy, ['rollback-trigger', 'cutover-shadow-reads', 'cutover-soak', 'verification-sign-off']);
    const soak = diags.find((d) => codeOf(d) === 'cutover-soak')!;

    const actions = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>('vscode.executeCodeActionProvider', copy, soak.range, vscode.CodeActionKind.QuickFix.value);
    const codeActions = actions.filter((a): a is vscode.CodeAction => typeof a.command !== 'string');
    const titles = codeActions.map((a) => a.title).join(' | ');
    const at = codeActions.findIndex((a) => a.title === 'Fix all 4 fixable migplan problems');
    assert.ok(at >= 0, `no "Fix all" among: ${titles}`);
    const fixAll = codeActions[at];
    assert.ok(fixAll.kind && vscode.CodeActionKind.QuickFix.contains(fixAll.kind), fixAll.kind?.value);
    assert.ok(!fixAll.isPreferred, 'not preferred: autofix keeps picking the problem\'s own fix');
    // The soak's own fix comes first.
    const own = codeActions.findIndex((a) => a !== fixAll && /soak/i.test(a.title) && !a.title.startsWith('Ignore'));
    assert.ok(own >= 0 && own < at, titles);
    assert.ok(fixAll.edit, 'it carries its edit');
    assert.equal(fixAll.command?.command, REPORT_COMMAND, 'it carries the report command');
    assert.ok((await vscode.commands.getCommands(true)).includes(REPORT_COMMAND), 'the language client registered the server\'s command');

    // What the editor does when the user picks it: apply the edit, then run the command.
    const before = document.getText();
    assert.ok(await vscode.workspace.applyEdit(fixAll.edit), 'applyEdit refused the fix-all');
    assert.notEqual(document.getText(), before);
    assert.ok(document.getText().includes('    shadow_reads: true\n'), 'shadow reads turned on');
    assert.ok(!document.getText().includes('if replication looks bad'), 'the vague trigger replaced');
    assert.match(document.getText(), /^ {4}sign_off: "?TODO: /m, 'the sign-off left as a placeholder for the author');
    const shownBefore = shown.length;
    await vscode.commands.executeCommand(fixAll.command.command, ...(fixAll.command.arguments ?? []));
    const message = await waitFor('the fix-all notification', () => shown.slice(shownBefore).find((m) => m.startsWith('Fixed')), 10_000);
    assert.equal(message, 'Fixed 4 problems; 1 placeholder left to fill');

    // Only the placeholder is left, which the author fills in.
    await waitFor('the fixed problems to go', () => {
      const left = migplanDiagnostics(copy).map(codeOf);
      return left.length === 1 && left[0] === 'placeholder';
    });
  });

  test('the report command ignores arguments that are not a report', async () => {
    const before = shown.length;
    await vscode.commands.executeCommand(REPORT_COMMAND, { fixed: 'all', placeholders: -1 });
    await vscode.commands.executeCommand(REPORT_COMMAND);
    // A good one after them: messages arrive in order, so once it is shown the bad ones would have been.
    await vscode.commands.executeCommand(REPORT_COMMAND, { fixed: 2, placeholders: 0 });
    await waitFor('the notification', () => shown.length > before, 10_000);
    assert.deepEqual(shown.slice(before), ['Fixed 2 problems']);
  });
});
