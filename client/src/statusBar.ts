/**
 * The status bar item of the active plan: its quality checklist (items passed
 * of seven) and its problems, e.g. `$(checklist) 3/7  $(error) 12 $(warning) 4`.
 * A click opens the Migration Plan view. Shown while the plan view follows a
 * plan (a plan's editor is active, or the preview beside it).
 */
import * as vscode from 'vscode';
import type { PlanTreeNode, PlanTreeResult } from '../../server/src/protocol';

export const STATUS_ITEM_ID = 'migplan.status';
/** The command VS Code makes for focusing a view (`<view id>.focus`). */
export const FOCUS_VIEW_COMMAND = 'migplan.phases.focus';

export interface PlanStatusSource {
  /** The plan the view follows. */
  readonly uri: vscode.Uri | undefined;
  /** Its last tree (with the checklist). */
  readonly current: PlanTreeResult | undefined;
  readonly onDidRefresh: vscode.Event<string | undefined>;
}

export interface PlanStatusText {
  text: string;
  tooltip: string;
}

/** Checklist items passed and in all; undefined without a checklist node. */
export function checklistCounts(nodes: readonly PlanTreeNode[]): { passed: number; total: number } | undefined {
  const checklist = nodes.find((n) => n.kind === 'checklist');
  const items = checklist?.children?.filter((c) => c.kind === 'checklist-item');
  if (!items || items.length === 0) return undefined;
  const passed = items.filter((i) => (i.state ?? (i.passed === true ? 'passed' : undefined)) === 'passed').length;
  return { passed, total: items.length };
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** The item's text and tooltip for a plan's checklist and problem counts. */
export function statusText(name: string, checklist: { passed: number; total: number } | undefined, problems: { errors: number; warnings: number; infos: number }): PlanStatusText {
  const parts: string[] = [checklist ? `$(checklist) ${checklist.passed}/${checklist.total}` : '$(checklist) …'];
  if (problems.errors > 0) parts.push(`$(error) ${problems.errors}`);
  if (problems.warnings > 0) parts.push(`$(warning) ${problems.warnings}`);
  if (problems.errors === 0 && problems.warnings === 0) parts.push('$(check)');
  const lines = [
    name,
    checklist ? `Quality checklist: ${checklist.passed} of ${checklist.total} passed` : 'Quality checklist: not evaluated yet',
    problems.errors + problems.warnings + problems.infos === 0 ? 'No problems' : [plural(problems.errors, 'error'), plural(problems.warnings, 'warning'), plural(problems.infos, 'info')].join(', '),
    'Click to open the Migration Plan view',
  ];
  return { text: parts.join('  '), tooltip: lines.join('\n') };
}

export class PlanStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly source: PlanStatusSource) {
    this.item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Migration Plan';
    this.item.command = FOCUS_VIEW_COMMAND;
    this.disposables.push(
      this.item,
      source.onDidRefresh(() => this.update()),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const uri = this.source.uri?.toString();
        if (uri !== undefined && e.uris.some((u) => u.toString() === uri)) this.update();
      }),
    );
    this.update();
  }

  /** What the item shows now; undefined when hidden. */
  get shown(): PlanStatusText | undefined {
    return this.visible ? { text: this.item.text, tooltip: typeof this.item.tooltip === 'string' ? this.item.tooltip : '' } : undefined;
  }

  private visible = false;

  private update(): void {
    const uri = this.source.uri;
    if (!uri) {
      this.item.hide();
      this.visible = false;
      return;
    }
    const problems = { errors: 0, warnings: 0, infos: 0 };
    for (const d of vscode.languages.getDiagnostics(uri)) {
      if (d.severity === vscode.DiagnosticSeverity.Error) problems.errors++;
      else if (d.severity === vscode.DiagnosticSeverity.Warning) problems.warnings++;
      else if (d.severity === vscode.DiagnosticSeverity.Information) problems.infos++;
    }
    const current = this.source.current;
    const checklist = current && current.uri === uri.toString() ? checklistCounts(current.nodes) : undefined;
    const { text, tooltip } = statusText(uri.path.slice(uri.path.lastIndexOf('/') + 1), checklist, problems);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: tooltip.split('\n').slice(0, 3).join('. '), role: 'button' };
    this.item.show();
    this.visible = true;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
