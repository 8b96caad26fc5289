/** Shared steps of the extension tests: the fixture plans, activation, waiting, cleaning up. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MigplanApi } from '../../extension';

export const EXTENSION_ID = 'migplan.migplan';

/** client/testFixture (this file is compiled to out/client/src/test/suite/). */
export const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', '..', 'client', 'testFixture');

export function fixtureUri(name: string): vscode.Uri {
  return vscode.Uri.file(path.join(FIXTURES, name));
}

/** Polls `probe` every 50 ms until it returns something truthy; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The extension's test API, once its language server runs (activating it if nothing did yet). */
export async function migplan(): Promise<MigplanApi> {
  const extension = vscode.extensions.getExtension<MigplanApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} not found`);
  const api = await extension.activate();
  await api.ready();
  return api;
}

/** Opens a fixture plan in the active editor group. */
export async function openPlan(name: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(fixtureUri(name));
  return vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
}

/** A diagnostic's code as a string (the server may send a code with a documentation link). */
export function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

/** The plan's diagnostics from migplan. */
export function migplanDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'migplan');
}

/** Waits until the plan's diagnostics include every code in `codes`; returns them. */
export function diagnosticsWith(uri: vscode.Uri, codes: readonly string[]): Promise<vscode.Diagnostic[]> {
  return waitFor(`diagnostics ${codes.join(', ')} on ${path.basename(uri.fsPath)}`, () => {
    const diags = migplanDiagnostics(uri);
    const have = new Set(diags.map(codeOf));
    return codes.every((c) => have.has(c)) ? diags : undefined;
  });
}

/** Reverts every changed document and closes all editors (and the preview), so tests leave the fixtures as they were. */
export async function revertAndCloseAll(): Promise<void> {
  for (const document of vscode.workspace.textDocuments) {
    if (!document.isDirty) continue;
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand(document.isUntitled ? 'workbench.action.revertAndCloseActiveEditor' : 'workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllGroups');
}

/** The 0-based line of the first line of `document` equal to `text`. */
export function lineOf(document: vscode.TextDocument, text: string): number {
  for (let i = 0; i < document.lineCount; i++) if (document.lineAt(i).text === text) return i;
  assert.fail(`no line ${JSON.stringify(text)} in ${document.uri.toString()}`);
}
