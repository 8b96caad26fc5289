/**
 * The rule pages in VS Code: docs/rules/<id>.md ship in the package and open
 * in the Markdown preview ("Migration Plan: Show Rule Documentation", a
 * diagnostic's code link, the link in a diagnostic's hover, and "Show
 * documentation for <rule>" among the quick fixes). The language server links
 * to the repository's file (as the CLI and SARIF do); the middleware here
 * turns those links into the packaged page.
 */
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import { ruleOfDocUrl, RULE_DOCS_BASE } from '../../server/src/service/linting/ruleDocs';

export const SHOW_RULE_DOC_COMMAND = 'migplan.showRuleDoc';
/** Run after a migplan quick fix was applied (the walkthrough's "Apply a quick fix" step completes on it). */
export const QUICK_FIX_APPLIED_COMMAND = 'migplan.quickFixApplied';

const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export class RuleDocs implements vscode.Disposable {
  private readonly folder: vscode.Uri;
  private readonly disposables: vscode.Disposable[] = [];

  /**
   * `swapPages`: a rule page opened as text turns into its preview. Off while the extension is
   * developed from its repository (F5), where docs/rules/ are the sources being edited.
   */
  constructor(extensionUri: vscode.Uri, swapPages = true) {
    this.folder = vscode.Uri.joinPath(extensionUri, 'docs', 'rules');
    this.disposables.push(
      vscode.commands.registerCommand(SHOW_RULE_DOC_COMMAND, (id?: unknown) => this.show(typeof id === 'string' ? id : undefined)),
      vscode.commands.registerCommand(QUICK_FIX_APPLIED_COMMAND, () => undefined),
    );
    if (swapPages) {
      this.disposables.push(
        // A code link opens the page as text (VS Code's opener knows no better): show it in the preview instead.
        vscode.window.onDidChangeActiveTextEditor((editor) => {
          if (editor && this.isPage(editor.document.uri)) void this.swapToPreview(editor.document.uri);
        }),
      );
    }
  }

  /** The packaged page of a rule. */
  pageOf(id: string): vscode.Uri {
    return vscode.Uri.joinPath(this.folder, `${id}.md`);
  }

  private isPage(uri: vscode.Uri): boolean {
    const folder = `${this.folder.path}/`;
    return uri.scheme === this.folder.scheme && uri.path.startsWith(folder) && RULE_ID.test(uri.path.slice(folder.length).replace(/\.md$/, '')) && uri.path.endsWith('.md');
  }

  /** The ids of the packaged pages, sorted. */
  async ids(): Promise<string[]> {
    try {
      const entries = await vscode.workspace.fs.readDirectory(this.folder);
      return entries
        .filter(([name, type]) => type === vscode.FileType.File && name.endsWith('.md'))
        .map(([name]) => name.slice(0, -3))
        .filter((id) => RULE_ID.test(id))
        .sort();
    } catch {
      return [];
    }
  }

  /** Shows a rule's page in the Markdown preview; without an id, asks which. Resolves to the page shown. */
  async show(id?: string): Promise<vscode.Uri | undefined> {
    const ids = await this.ids();
    let chosen = id;
    if (chosen === undefined) {
      chosen = await vscode.window.showQuickPick(ids, { title: 'Migration Plan: Show Rule Documentation', placeHolder: 'Rule id' });
      if (chosen === undefined) return undefined;
    }
    if (!RULE_ID.test(chosen) || !ids.includes(chosen)) {
      void vscode.window.showWarningMessage(`migplan has no rule '${chosen.slice(0, 80)}'.`);
      return undefined;
    }
    const page = this.pageOf(chosen);
    await vscode.commands.executeCommand('markdown.showPreview', page);
    return page;
  }

  private async swapToPreview(uri: vscode.Uri): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
    await vscode.commands.executeCommand('markdown.showPreview', uri);
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs, true);
  }

  /** The command link that shows a rule's page (for hovers trusted with this one command). */
  static commandLink(id: string): string {
    return `command:${SHOW_RULE_DOC_COMMAND}?${encodeURIComponent(JSON.stringify([id]))}`;
  }

  /**
   * The language client's middleware: diagnostics' code links and hover links go to the packaged
   * page; migplan's quick fixes gain "Show documentation for <rule>" and report that they ran.
   */
  middleware(): Middleware {
    return {
      handleDiagnostics: (uri, diagnostics, next) => {
        for (const d of diagnostics) {
          if (typeof d.code === 'object' && d.code !== null) {
            const id = ruleOfDocUrl(d.code.target.toString(true));
            if (id !== undefined) d.code = { value: d.code.value, target: this.pageOf(id) };
          }
        }
        next(uri, diagnostics);
      },
      provideHover: async (document, position, token, next) => {
        const hover = await next(document, position, token);
        if (!hover) return hover;
        const contents = hover.contents.map((c) => {
          if (!(c instanceof vscode.MarkdownString) || !c.value.includes(RULE_DOCS_BASE)) return c;
          const value = c.value.replace(/\]\((https:[^)\s]+)\)/g, (whole, url: string) => {
            const id = ruleOfDocUrl(url);
            return id === undefined ? whole : `](${RuleDocs.commandLink(id)})`;
          });
          const out = new vscode.MarkdownString(value, c.supportThemeIcons);
          out.isTrusted = { enabledCommands: [SHOW_RULE_DOC_COMMAND] };
          return out;
        });
        return new vscode.Hover(contents, hover.range);
      },
      provideCodeActions: async (document, range, context, token, next) => {
        const actions = await next(document, range, context, token);
        if (!actions) return actions;
        for (const a of actions) {
          if (a instanceof vscode.CodeAction && a.edit && !a.command && a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind)) {
            a.command = { command: QUICK_FIX_APPLIED_COMMAND, title: 'Quick fix applied' };
          }
        }
        const wantsQuickFixes = !context.only || vscode.CodeActionKind.QuickFix.contains(context.only) || context.only.contains(vscode.CodeActionKind.QuickFix);
        if (!wantsQuickFixes) return actions;
        const rules = new Set<string>();
        for (const d of context.diagnostics) {
          if (d.source === 'migplan' && typeof d.code === 'object' && d.code !== null && typeof d.code.value === 'string' && RULE_ID.test(d.code.value)) rules.add(d.code.value);
        }
        for (const id of rules) {
          const doc = new vscode.CodeAction(`Show documentation for ${id}`, vscode.CodeActionKind.QuickFix);
          doc.command = { command: SHOW_RULE_DOC_COMMAND, title: `Show documentation for ${id}`, arguments: [id] };
          actions.push(doc);
        }
        return actions;
      },
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
