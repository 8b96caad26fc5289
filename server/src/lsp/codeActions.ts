/**
 * Code actions: each diagnostic's quick fix (from this server's own analysis,
 * offered only when it keeps the YAML as sound as it is), an ignore comment
 * for it, and "Fix all" as one edit.
 */
import { CodeAction, CodeActionKind, type CodeActionParams, type Diagnostic as LspDiagnostic, type TextEdit as LspTextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ignoreCommentEdit } from '../service/linting/fixes';
import { fixAll, fixEdits, fixKeepsYaml, UNIGNORABLE } from '../service/linting/lint';
import type { Diagnostic, Range } from '../service/types';
import type { Analysis, Session } from './session';

const NO_RULE_ACTIONS = new Set([...UNIGNORABLE, 'ignore-reason', 'unused-ignore']);
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.migplan`;

function sameRange(x: Range, y: Range): boolean {
  return x.start.line === y.start.line && x.start.character === y.start.character && x.end.line === y.end.line && x.end.character === y.end.character;
}

/** The one edit turning the document's text `before` into `after`: the differing middle (offsets of the document's own text). */
function diffEdit(doc: TextDocument, before: string, after: string): LspTextEdit | undefined {
  if (before === after) return undefined;
  let start = 0;
  while (start < before.length && start < after.length && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before.charCodeAt(endB - 1) === after.charCodeAt(endA - 1)) {
    endB--;
    endA--;
  }
  return { range: { start: doc.positionAt(start), end: doc.positionAt(endB) }, newText: after.slice(start, endA) };
}

/**
 * `# migplan-ignore <rule> -- …` above the block node the diagnostic starts in; none where a
 * comment line cannot go without changing a value (see ignoreCommentEdit).
 */
function ignoreAction(session: Session, doc: TextDocument, a: Analysis, d: Diagnostic, lsp: LspDiagnostic): CodeAction | undefined {
  // The reason is a placeholder, which silences nothing until the author writes why (ignore-reason says so).
  const edit = ignoreCommentEdit(a.plan, d.rule, a.plan.lines.offsetAt(d.range.start), 'TODO: why this does not apply here');
  if (!edit) return undefined;
  const action = CodeAction.create(`Ignore ${d.rule} for this node (then write why)`, session.workspaceEdit(doc, [{ range: session.spanRange(a, edit.span), newText: edit.text }]), CodeActionKind.QuickFix);
  action.diagnostics = [lsp];
  return action;
}

export function registerCodeActions(session: Session): void {
  session.connection.onCodeAction((params: CodeActionParams) =>
    session.guard('code actions', [] as CodeAction[], () => {
      const found = session.analysed(params.textDocument.uri);
      if (!found) return [];
      const { doc, a } = found;
      const only = params.context.only;
      const wantsFixAll = only?.some((k) => k === CodeActionKind.SourceFixAll || k === FIX_ALL_KIND || k === CodeActionKind.Source) ?? false;
      const actions: CodeAction[] = [];
      if (wantsFixAll) {
        const fixed = fixAll(doc.getText(), { config: a.config, maxLength: session.maxLength() });
        const edit = diffEdit(doc, doc.getText(), fixed.text);
        if (edit) actions.push(CodeAction.create('Fix all migplan problems', session.workspaceEdit(doc, [edit]), FIX_ALL_KIND));
        else if (fixed.blockedByYaml) {
          const blocked = CodeAction.create('Fix all migplan problems', FIX_ALL_KIND);
          blocked.disabled = { reason: 'The plan has YAML errors; fix those first.' };
          actions.push(blocked);
        }
        if (only && only.every((k) => k.startsWith(CodeActionKind.Source))) return actions;
      }
      if (only && !only.some((k) => CodeActionKind.QuickFix.startsWith(k) || k.startsWith(CodeActionKind.QuickFix))) return actions;
      // Fixes come from this server's own analysis, matched by rule and range: never trust echoed data.
      for (const lsp of params.context.diagnostics) {
        if (lsp.source !== 'migplan') continue;
        // Exact range first; else the same rule on the same line (some clients echo columns in bytes, not UTF-16).
        const d =
          a.diagnostics.find((x) => x.rule === lsp.code && sameRange(session.clientRange(a, x.range), lsp.range)) ??
          a.diagnostics.find((x) => x.rule === lsp.code && x.range.start.line === lsp.range.start.line);
        if (!d) continue;
        const fix = d.data?.fix;
        // A quick fix is offered only when applying it keeps the YAML as sound as it is.
        if (fix && fixKeepsYaml(a.plan, fixEdits(a.plan, d))) {
          const action = CodeAction.create(fix.title, session.workspaceEdit(doc, fix.edits.map((e) => ({ range: session.clientRange(a, e.range), newText: e.newText }))), CodeActionKind.QuickFix);
          action.diagnostics = [lsp];
          if (fix.preferred) action.isPreferred = true;
          actions.push(action);
        }
        const ignore = NO_RULE_ACTIONS.has(d.rule) ? undefined : ignoreAction(session, doc, a, d, lsp);
        if (ignore) actions.push(ignore);
      }
      return actions;
    }),
  );
}
