/**
 * The "Migration Plan" view in the Explorer: the phases of the active plan
 * with their sections, problem counts and the quality checklist, fed by the
 * server's PLAN_TREE_REQUEST and refreshed on PLAN_CHANGED_NOTIFICATION.
 */
import * as vscode from 'vscode';
import type { PlanTreeNode, PlanTreeResult } from '../../server/src/protocol';
import { protocolUri, type PlanServer } from './planServer';
import type { RehearsalStore } from './rehearse';
import { cleanPhases } from './rehearsalState';
import { REVEAL_RANGE_COMMAND, isPlan } from './reveal';

export const PLAN_OPEN_CONTEXT = 'migplan.planOpen';

/** An element of the tree: a server node with a stable id (expansion state survives refreshes) and its parent. */
export interface PlanTreeElement {
  readonly id: string;
  readonly uri: string;
  readonly node: PlanTreeNode;
  readonly parent: PlanTreeElement | undefined;
  readonly children: PlanTreeElement[];
}

/** What a test sees of the tree: one row per element, depth-first. */
export interface PlanTreeRow {
  depth: number;
  label: string;
  description: string | undefined;
  icon: string;
  iconColor: string | undefined;
  hasCommand: boolean;
  /** What clicking the row runs: the reveal command and its arguments (the plan's uri, the node's range). */
  command: { command: string; arguments: unknown[] } | undefined;
  range: PlanTreeNode['range'];
}

const PHASE_ICONS: Readonly<Record<string, string>> = {
  'dual-write': 'git-compare',
  backfill: 'database',
  cutover: 'arrow-swap',
  verification: 'verified',
  cleanup: 'trash',
  custom: 'symbol-event',
};

/** The icon of a node: a codicon id and an optional theme colour id. */
function iconSpec(node: PlanTreeNode): { id: string; color?: string } {
  switch (node.kind) {
    case 'phase':
      return { id: PHASE_ICONS[node.phaseKind ?? ''] ?? 'question' };
    case 'section':
      return { id: 'list-unordered' };
    case 'item':
      return { id: 'circle-small-filled' };
    case 'checklist':
      return { id: 'checklist' };
    case 'checklist-item':
      switch (node.state ?? (node.passed === true ? 'passed' : node.passed === false ? 'failed' : undefined)) {
        case 'passed':
          return { id: 'pass', color: 'testing.iconPassed' };
        case 'failed':
          return { id: 'error', color: 'testing.iconFailed' };
        case 'unverified':
          return { id: 'question', color: 'testing.iconQueued' };
        default:
          return { id: 'circle-slash' };
      }
  }
}

const STATE_TEXT: Record<NonNullable<PlanTreeNode['state']>, string> = {
  passed: 'Passed',
  failed: 'Not met',
  unverified: 'Unverified: a placeholder to fill in, or its rules turned off',
  'not-applicable': 'Not applicable to this plan',
};

/** The node's own description, then its problem count (unless the server already wrote one). */
function descriptionOf(node: PlanTreeNode): string | undefined {
  const parts: string[] = [];
  if (node.description) parts.push(node.description);
  const n = node.problems ?? 0;
  if (n > 0 && !/\bproblems?\b/.test(node.description ?? '')) parts.push(n === 1 ? '1 problem' : `${n} problems`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function tooltipOf(node: PlanTreeNode): string {
  const lines = [node.label];
  if (node.phaseKind) lines.push(`Kind: ${node.phaseKind}`);
  if (node.kind === 'checklist-item') lines.push(STATE_TEXT[node.state ?? (node.passed === true ? 'passed' : node.passed === false ? 'failed' : 'unverified')]);
  const n = node.problems ?? 0;
  if (n > 0) lines.push(n === 1 ? '1 problem' : `${n} problems`);
  return lines.join('\n');
}

/** Wraps the server's nodes with ids made of their labels (numbered when two siblings share one). */
function wrap(uri: string, nodes: readonly PlanTreeNode[], parent: PlanTreeElement | undefined): PlanTreeElement[] {
  const seen = new Map<string, number>();
  return nodes.map((node) => {
    const base = `${parent?.id ?? uri}/${node.kind}:${node.label}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    const element: PlanTreeElement = { id: count === 1 ? base : `${base}#${count}`, uri, node, parent, children: [] };
    element.children.push(...wrap(uri, node.children ?? [], element));
    return element;
  });
}

export class PlanTreeProvider implements vscode.TreeDataProvider<PlanTreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PlanTreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly refreshed = new vscode.EventEmitter<string | undefined>();
  /** Fires after the tree was reloaded, with the plan's uri (undefined: cleared). */
  readonly onDidRefresh = this.refreshed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.refreshed];
  private document: vscode.TextDocument | undefined;
  private roots: PlanTreeElement[] = [];
  private result: PlanTreeResult | undefined;
  private planOpen: boolean | undefined;
  private generation = 0;
  private view: vscode.TreeView<PlanTreeElement> | undefined;

  /** The phases the last rehearsal of the plan ran without a finding inside them. */
  private rehearsedClean = new Set<string>();

  constructor(
    private readonly server: PlanServer,
    private readonly rehearsals?: RehearsalStore,
  ) {
    if (rehearsals) {
      this.disposables.push(
        rehearsals.onDidChange((uri) => {
          if (this.document && uri === this.document.uri.toString()) {
            this.updateRehearsed();
            this.changed.fire(undefined);
          }
        }),
      );
    }
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => this.follow(editor)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc === this.document) this.show(undefined);
      }),
      vscode.workspace.onDidOpenTextDocument((doc) => {
        // A document whose language changed to migplan is closed and reopened with the same uri.
        if (isPlan(doc) && vscode.window.activeTextEditor?.document.uri.toString() === doc.uri.toString()) this.show(doc);
      }),
      server.onDidChangePlan((params) => {
        if (this.document && params.uri === protocolUri(this.document.uri)) void this.reload();
      }),
      server.onDidStart(() => void this.reload()),
    );
    this.follow(vscode.window.activeTextEditor);
  }

  /** Registers the view and keeps its title description on the plan's file name. */
  attach(view: vscode.TreeView<PlanTreeElement>): void {
    this.view = view;
    this.updateViewDescription();
  }

  /** The plan shown, if any. */
  get uri(): vscode.Uri | undefined {
    return this.document?.uri;
  }

  /**
   * Follows the active editor: a plan is shown; another text editor clears
   * the view; no text editor (focus in the preview, a panel) keeps the plan.
   */
  private follow(editor: vscode.TextEditor | undefined): void {
    if (editor === undefined) return;
    if (isPlan(editor.document)) {
      if (editor.document !== this.document) this.show(editor.document);
    } else if (editor.document.uri.scheme !== 'output') {
      this.show(undefined);
    }
  }

  private updateRehearsed(): void {
    const record = this.document ? this.rehearsals?.record(this.document.uri) : undefined;
    this.rehearsedClean = record ? cleanPhases(record) : new Set();
  }

  private show(document: vscode.TextDocument | undefined): void {
    this.document = document;
    this.updateRehearsed();
    this.setPlanOpen(document !== undefined);
    this.roots = [];
    this.result = undefined;
    this.changed.fire(undefined);
    this.updateViewDescription();
    if (document) void this.reload();
    else this.refreshed.fire(undefined);
  }

  /** Asks the server for the tree again; answers to older requests are dropped. */
  async reload(): Promise<void> {
    const document = this.document;
    if (!document) return;
    const generation = ++this.generation;
    const result = await this.server.planTree(document.uri);
    if (generation !== this.generation || document !== this.document) return;
    if (!result) return;
    this.result = result;
    this.roots = wrap(protocolUri(document.uri), result.nodes, undefined);
    this.changed.fire(undefined);
    this.refreshed.fire(protocolUri(document.uri));
  }

  private setPlanOpen(open: boolean): void {
    if (this.planOpen === open) return;
    this.planOpen = open;
    void vscode.commands.executeCommand('setContext', PLAN_OPEN_CONTEXT, open);
  }

  private updateViewDescription(): void {
    if (!this.view) return;
    const path = this.document?.uri.path;
    this.view.description = path ? path.slice(path.lastIndexOf('/') + 1) : undefined;
  }

  getTreeItem(element: PlanTreeElement): vscode.TreeItem {
    const node = element.node;
    const collapsible =
      element.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : node.kind === 'checklist' || (node.kind === 'phase' && (node.problems ?? 0) > 0)
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = element.id;
    item.description = descriptionOf(node);
    item.tooltip = tooltipOf(node);
    if (node.kind === 'phase' && element.parent === undefined && this.rehearsedClean.has(node.label)) {
      item.description = [item.description, 'rehearsed clean'].filter((s) => s !== undefined && s !== '').join(' · ');
      item.tooltip = `${item.tooltip}\nRehearsed clean: the last rehearsal ran this phase with no finding in it`;
    }
    const icon = iconSpec(node);
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    item.contextValue = node.kind;
    if (node.range) {
      item.command = { command: REVEAL_RANGE_COMMAND, title: 'Reveal in Editor', arguments: [element.uri, node.range] };
    }
    return item;
  }

  getChildren(element?: PlanTreeElement): PlanTreeElement[] {
    return element ? element.children : this.roots;
  }

  getParent(element: PlanTreeElement): PlanTreeElement | undefined {
    return element.parent;
  }

  /** The tree as rows (for tests and the output channel). */
  rows(): PlanTreeRow[] {
    const out: PlanTreeRow[] = [];
    const visit = (elements: PlanTreeElement[], depth: number): void => {
      for (const e of elements) {
        const item = this.getTreeItem(e);
        const icon = iconSpec(e.node);
        out.push({
          depth,
          label: e.node.label,
          description: typeof item.description === 'string' ? item.description : undefined,
          icon: icon.id,
          iconColor: icon.color,
          hasCommand: item.command !== undefined,
          command: item.command ? { command: item.command.command, arguments: [...(item.command.arguments ?? [])] } : undefined,
          range: e.node.range,
        });
        visit(e.children, depth + 1);
      }
    };
    visit(this.roots, 0);
    return out;
  }

  /** The last tree result shown (its uri and version). */
  get current(): PlanTreeResult | undefined {
    return this.result;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
