/** The commands that are not views: "Export as Markdown", "New Plan" (and the untitled plans it and the walkthrough open). */
import * as vscode from 'vscode';
import { PLAN_TEMPLATE } from '../../server/src/service/linting/planTemplate';
import type { PlanServer } from './planServer';
import { isPlan } from './reveal';

/** `orders.migplan.yaml` → `orders.md` (also `.migplan.yml`, `.yaml`, `.yml`; anything else gets `.md` appended). */
export function markdownFileName(planFileName: string): string {
  const stem = planFileName.replace(/\.migplan\.ya?ml$/i, '').replace(/\.ya?ml$/i, '');
  return `${stem || 'plan'}.md`;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the plan rendered as Markdown next to it (`<name>.md`), asking
 * before it overwrites a file; an untitled plan asks where to save. The plan
 * is `uri` (the editor title button passes it), else the active plan, else
 * `fallback` (the plan in the preview). Resolves to the file written.
 */
export async function exportMarkdown(server: PlanServer, uri: vscode.Uri | undefined, fallback: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  const planUri = uri ?? (isPlan(active) ? active.uri : fallback);
  if (!planUri) {
    void vscode.window.showInformationMessage('Open a migration plan (*.migplan.yaml) to export it.');
    return undefined;
  }
  // The server renders open documents (their current text, saved or not).
  await vscode.workspace.openTextDocument(planUri);
  const result = await server.render(planUri);
  if (!result) {
    void vscode.window.showErrorMessage('The migplan language server could not render this plan; see the "Migration Plan" output for details.');
    return undefined;
  }
  const slash = planUri.path.lastIndexOf('/');
  const name = markdownFileName(planUri.path.slice(slash + 1));
  let target: vscode.Uri | undefined;
  if (planUri.scheme === 'untitled') {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: { Markdown: ['md'] },
      title: 'Export Plan as Markdown',
    });
    if (!target) return undefined;
  } else {
    target = planUri.with({ path: planUri.path.slice(0, slash + 1) + name, query: '', fragment: '' });
    if (await exists(target)) {
      const overwrite = 'Overwrite';
      const answer = await vscode.window.showWarningMessage(`'${name}' already exists next to the plan. Overwrite it?`, { modal: true }, overwrite);
      if (answer !== overwrite) return undefined;
    }
  }
  await vscode.workspace.fs.writeFile(target, Buffer.from(result.markdown, 'utf8'));
  const written = target;
  void vscode.window.showInformationMessage(`Exported the plan to ${vscode.workspace.asRelativePath(written)}.`, 'Open').then((choice) => {
    if (choice === 'Open') void vscode.window.showTextDocument(written);
  });
  return written;
}

/**
 * The untitled document New Plan opens: `untitled:migration.migplan.yaml`,
 * or `migration-2.migplan.yaml`... when an open document or a file at the
 * top of the first workspace folder has that name (saving proposes the name
 * there).
 */
export async function freePlanUri(stem = 'migration'): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const openNames = new Set(vscode.workspace.textDocuments.filter((d) => !d.isClosed && d.uri.scheme === 'untitled').map((d) => d.uri.path.slice(d.uri.path.lastIndexOf('/') + 1)));
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${stem}.migplan.yaml` : `${stem}-${n}.migplan.yaml`;
    if (openNames.has(name)) continue;
    if (folder && (await exists(vscode.Uri.joinPath(folder, name)))) continue;
    return vscode.Uri.from({ scheme: 'untitled', path: name });
  }
}

/** Opens an untitled plan (`migration.migplan.yaml`, or a free name like it) with the template `migplan init` writes. */
export function newPlan(): Promise<vscode.TextEditor> {
  return openUntitledPlan('migration', PLAN_TEMPLATE);
}

/** Opens an untitled plan named `<stem>.migplan.yaml` (or a free name like it) holding `text`, cursor at the top. */
export async function openUntitledPlan(stem: string, text: string): Promise<vscode.TextEditor> {
  const uri = await freePlanUri(stem);
  let document = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(0, 0), text);
  await vscode.workspace.applyEdit(edit);
  // The name makes it a plan, unless a files.associations setting says otherwise.
  if (document.languageId !== 'migplan') document = await vscode.languages.setTextDocumentLanguage(document, 'migplan');
  return vscode.window.showTextDocument(document, { selection: new vscode.Range(0, 0, 0, 0) });
}
