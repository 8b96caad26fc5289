/**
 * Code actions: each diagnostic's quick fix (from this server's own analysis,
 * offered only when it keeps the YAML as sound as it is), an ignore comment
 * for it, and "Fix all" as one edit: a source action, and a quick fix next to
 * a diagnostic's own fix when the plan has more than one fixable problem.
 *
 * A fix-all the user picks carries the command `migplan.fixAll.report`, which
 * the client sends back once the edit is applied: the server then says what
 * it changed in one line (`window/showMessage`).
 */
import {
  CodeAction,
  CodeActionKind,
  CodeActionTriggerKind,
  Command,
  MessageType,
  ShowMessageNotification,
  type CodeActionParams,
  type Diagnostic as LspDiagnostic,
  type ExecuteCommandParams,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ignoreCommentEdit } from '../service/linting/fixes';
import { fixAll, fixEdits, fixKeepsYaml, fixSummary, UNIGNORABLE, type FixAllResult } from '../service/linting/lint';
import type { Diagnostic, Range } from '../service/types';
import type { Analysis, Session } from './session';

const NO_RULE_ACTIONS = new Set([...UNIGNORABLE, 'ignore-reason', 'unused-ignore']);
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.migplan`;
/** The command a fix-all the user picked carries: the client runs it after applying the edit. */
export const FIX_ALL_REPORT_COMMAND = 'migplan.fixAll.report';
/** The commands this server executes (its `executeCommandProvider`). */
export const SERVER_COMMANDS: readonly string[] = [FIX_ALL_REPORT_COMMAND];

/** What a fix-all changed: the report command's one argument. */
export interface FixAllReport {
  /** Fixes applied. */
  fixed: number;
  /** Placeholders in the fixed text, left for the author to fill. */
  placeholders: number;
}

const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** The report command's arguments as a client sent them back: undefined unless they are exactly one report of counts. */
export function asFixAllReport(args: unknown): FixAllReport | undefined {
  if (!Array.isArray(args) || args.length !== 1) return undefined;
  const r: unknown = args[0];
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return undefined;
  const { fixed, placeholders } = r as Record<string, unknown>;
  return count(fixed) && count(placeholders) ? { fixed, placeholders } : undefined;
}

/** The notification's line: "Fixed 12 problems; 9 placeholders left to fill". */
export function fixAllMessage(r: FixAllReport): string {
  const line = fixSummary(r.fixed, r.placeholders);
  return line.charAt(0).toUpperCase() + line.slice(1);
}

function reportCommand(fixed: FixAllResult): Command {
  const report: FixAllReport = { fixed: fixed.applied, placeholders: fixed.placeholders };
  return Command.create('Say what fix-all changed', FIX_ALL_REPORT_COMMAND, report);
}

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

/** Fix-all's result on one analysed version of a document, and its edit. */
interface FixedAll {
  fixed: FixAllResult;
  edit: LspTextEdit | undefined;
}

/** Per analysis: a new version, a new configuration or setting, is a new analysis. */
const fixedAll = new WeakMap<Analysis, FixedAll>();

export function registerCodeActions(session: Session): void {
  session.connection.onCodeAction((params: CodeActionParams) =>
    session.guard('code actions', [] as CodeAction[], () => {
      const found = session.analysed(params.textDocument.uri);
      if (!found) return [];
      const { doc, a } = found;
      const only = params.context.only;
      const wantsFixAll = only?.some((k) => k === CodeActionKind.SourceFixAll || k === FIX_ALL_KIND || k === CodeActionKind.Source) ?? false;
      // Fix-all runs every fix and re-lints between rounds: on a long plan it takes a while. Run only when
      // needed, and once per analysed version (the lightbulb asks again at every move of the cursor).
      const fixAllOnce = (): FixedAll => {
        let done = fixedAll.get(a);
        if (!done) {
          const fixed = fixAll(doc.getText(), { config: a.config, maxLength: session.maxLength() });
          done = { fixed, edit: diffEdit(doc, doc.getText(), fixed.text) };
          fixedAll.set(a, done);
        }
        return done;
      };
      // The summary is for a fix-all the user chose: the Source Action menu or "Fix All" (invoked), or a
      // quick-fix list (a lightbulb's is asked for automatically, without `only`, and applied only when the
      // user picks from it). Never on save: codeActionsOnSave asks automatically, with `only`.
      const invoked = params.context.triggerKind === CodeActionTriggerKind.Invoked;
      const actions: CodeAction[] = [];
      if (wantsFixAll) {
        const { fixed, edit } = fixAllOnce();
        if (edit) {
          const action = CodeAction.create('Fix all migplan problems', session.workspaceEdit(doc, [edit]), FIX_ALL_KIND);
          if (invoked) action.command = reportCommand(fixed);
          actions.push(action);
        } else if (fixed.blockedByYaml) {
          const blocked = CodeAction.create('Fix all migplan problems', FIX_ALL_KIND);
          blocked.disabled = { reason: 'The plan has YAML errors; fix those first.' };
          actions.push(blocked);
        }
        if (only && only.every((k) => k.startsWith(CodeActionKind.Source))) return actions;
      }
      if (only && !only.some((k) => CodeActionKind.QuickFix.startsWith(k) || k.startsWith(CodeActionKind.QuickFix))) return actions;
      let offeredFix = false;
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
          offeredFix = true;
        }
        const ignore = NO_RULE_ACTIONS.has(d.rule) ? undefined : ignoreAction(session, doc, a, d, lsp);
        if (ignore) actions.push(ignore);
      }
      // Next to a fix, when there is more than one to make: all of them at once (as ESLint offers it). Last,
      // without diagnostics (it is not this problem's fix) and not preferred, so that autofix picks the one fix.
      if (offeredFix) {
        const fixable = a.diagnostics.filter((x) => x.data?.fix).length;
        // With YAML errors fix-all applies nothing: not worth running to find that out.
        if (fixable > 1 && !a.diagnostics.some((x) => x.rule === 'yaml-syntax')) {
          const { fixed, edit } = fixAllOnce();
          if (edit) {
            const action = CodeAction.create(`Fix all ${fixable} fixable migplan problems`, session.workspaceEdit(doc, [edit]), CodeActionKind.QuickFix);
            action.isPreferred = false;
            if (invoked || only === undefined) action.command = reportCommand(fixed);
            actions.push(action);
          }
        }
      }
      return actions;
    }),
  );

  session.connection.onExecuteCommand((params: ExecuteCommandParams) =>
    session.guard('execute command', null, () => {
      if (params.command !== FIX_ALL_REPORT_COMMAND) return null;
      // The arguments come back from the client: only a report of counts is said, anything else is ignored.
      const report = asFixAllReport(params.arguments);
      if (report) void session.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: fixAllMessage(report) });
      return null;
    }),
  );
}
