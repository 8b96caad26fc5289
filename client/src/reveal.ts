/** Revealing a place of a plan in its editor (tree view clicks, preview heading clicks). */
import * as vscode from 'vscode';
import type { Range } from '../../server/src/service/types';

export const REVEAL_RANGE_COMMAND = 'migplan.revealRange';

export type RevealAt = 'top' | 'center';

/**
 * Shows the plan (in the editor already showing it, else beside the active
 * group when `beside`) and puts the cursor at the start of `range`, selecting
 * it when it is on one line (a key, an id), revealing it at the top or in the
 * centre.
 */
export async function revealRange(uriString: string, range: Range, at: RevealAt = 'center', beside = false): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.parse(uriString, true);
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const column = shown?.viewColumn ?? (beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active);
  const document = shown?.document ?? (await vscode.workspace.openTextDocument(uri));
  const editor = await vscode.window.showTextDocument(document, { viewColumn: column, preserveFocus: false });
  const start = document.validatePosition(new vscode.Position(range.start.line, range.start.character));
  const end = document.validatePosition(new vscode.Position(range.end.line, range.end.character));
  const anchor = start.line === end.line ? new vscode.Selection(start, end) : new vscode.Selection(start, start);
  editor.selection = anchor;
  editor.revealRange(new vscode.Range(start, start), at === 'top' ? vscode.TextEditorRevealType.AtTop : vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/** Whether a document is a plan this extension serves. */
export function isPlan(document: vscode.TextDocument | undefined): document is vscode.TextDocument & { languageId: 'migplan' } {
  return document !== undefined && document.languageId === 'migplan';
}
