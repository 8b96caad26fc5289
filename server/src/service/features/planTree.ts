/**
 * The phase tree of the tree view: phases in order with their sections and
 * problem counts, then the quality checklist. Offsets only; the server turns
 * spans into ranges (protocol.ts PlanTreeNode).
 */
import { checklistSummary, evaluateChecklist } from '../rendering/checklist';
import type { PNode } from '../parsing/node';
import { hasSqlDialect } from '../sql/sqlValues';
import type { PlanDocument } from '../parsing/plan';
import type { Diagnostic, LintConfig, Span } from '../types';
import { diagnosticSpan, entrySpan, isPhaseKind, itemSpan, kindSpecificKeys, oneLine, ownerKind, plural, scalarDisplay } from './shared';

export type PlanTreeNodeKind = 'phase' | 'section' | 'item' | 'checklist' | 'checklist-item';

/** A node of the tree, with an offset span (the protocol's PlanTreeNode has a range instead). */
export interface PlanTreeNodeSpans {
  label: string;
  kind: PlanTreeNodeKind;
  /** Shown after the label (e.g. the phase kind, a value, "3 problems"). */
  description?: string;
  /** The phase kind, for the icon (phase nodes). */
  phaseKind?: string;
  /** Problems whose range starts inside this node. */
  problems?: number;
  /** Checklist items: ticked or not. */
  passed?: boolean;
  /** Checklist items: passed, failed, unverified (a placeholder in its fields, or its rules off) or not applicable. */
  state?: 'passed' | 'failed' | 'unverified' | 'not-applicable';
  /** Where clicking the node goes. */
  span?: Span;
  children?: PlanTreeNodeSpans[];
}

export interface PlanTreeSpans {
  nodes: PlanTreeNodeSpans[];
}

const SECTIONS = ['entry', 'steps', 'exit', 'checks', 'triggers', 'rollback'] as const;

/**
 * Where the diagnostics start, sorted, to count those in a node's span by
 * binary search: the tree has a node per phase, section and item, and a
 * long plan has thousands of each and of diagnostics.
 */
class Starts {
  private readonly sorted: Float64Array;

  constructor(starts: readonly number[]) {
    this.sorted = Float64Array.from(starts).sort();
  }

  /** How many diagnostics start inside a span: [s, e), or at s when the span is empty (as shared.ts countStartingIn). */
  countIn(span: Span): number {
    const [s, e] = span;
    if (s === e) return this.firstAbove(s) - this.firstAtOrAbove(s);
    return Math.max(0, this.firstAtOrAbove(e) - this.firstAtOrAbove(s));
  }

  /** The index of the first start >= x. */
  private firstAtOrAbove(x: number): number {
    const a = this.sorted;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index of the first start > x. */
  private firstAbove(x: number): number {
    const a = this.sorted;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * The tree of a plan: one node per phase, then "Quality checklist". `config`
 * (the rule settings the diagnostics were found under) marks checklist items
 * whose rules are off as not checked.
 */
export function planTree(plan: PlanDocument, diagnostics: readonly Diagnostic[], config?: LintConfig): PlanTreeSpans {
  const starts = new Starts(diagnostics.map((d) => diagnosticSpan(plan, d)[0]));
  const nodes: PlanTreeNodeSpans[] = [];
  const items = plan.root?.get('phases')?.items() ?? [];
  items.forEach((item, index) => nodes.push(phaseNode(plan, item, index, starts)));
  nodes.push(checklistNode(plan, diagnostics, config));
  return { nodes };
}

function withProblems(node: PlanTreeNodeSpans, n: number): PlanTreeNodeSpans {
  if (n > 0) node.problems = n;
  return node;
}

function problemsText(n: number): string {
  return plural(n, 'problem');
}

function phaseNode(plan: PlanDocument, item: PNode, index: number, starts: Starts): PlanTreeNodeSpans {
  const span = itemSpan(plan, item);
  const problems = starts.countIn(span);
  if (!item.isMap) return withProblems({ label: `#${index + 1}`, kind: 'phase', description: 'not a mapping', span }, problems);
  const id = item.get('id')?.text();
  const kindText = scalarDisplay(item.get('kind'));
  const title = item.get('title')?.text();
  const kindLabel = kindText === undefined || kindText.trim() === '' ? 'no kind' : isPhaseKind(kindText) ? kindText : `${kindText} (unknown kind)`;
  // The kind after the id, unless the id says it already (`backfill` of kind backfill): the icon shows the kind too.
  const description = [kindLabel === id ? undefined : kindLabel, title !== undefined ? oneLine(title, 60) : undefined].filter((s) => s !== undefined).join(' · ');
  const node: PlanTreeNodeSpans = { label: id ?? `#${index + 1}`, kind: 'phase', ...(description ? { description } : {}), span: item.firstKeySpan ?? span };
  if (isPhaseKind(kindText)) node.phaseKind = kindText;
  const children: PlanTreeNodeSpans[] = SECTIONS.map((key) => sectionNode(plan, item, key, starts));
  const settings = settingsNode(plan, item, kindText, starts);
  if (settings) children.splice(3, 0, settings);
  node.children = children;
  return withProblems(node, problems);
}

function sectionNode(plan: PlanDocument, phase: PNode, key: (typeof SECTIONS)[number], starts: Starts): PlanTreeNodeSpans {
  const v = phase.get(key);
  const label = key;
  if (!v) return { label, kind: 'section', description: 'missing', span: phase.firstKeySpan ?? itemSpan(plan, phase) };
  const span = entrySpan(plan, v);
  const node: PlanTreeNodeSpans = { label, kind: 'section', span: v.keySpan ?? span };
  if (v.isSeq) {
    const items = v.items();
    node.description = items.length === 0 ? 'empty' : plural(items.length, key === 'steps' ? 'step' : key === 'checks' ? 'check' : key === 'triggers' ? 'trigger' : 'criterion', key === 'steps' ? 'steps' : key === 'checks' ? 'checks' : key === 'triggers' ? 'triggers' : 'criteria');
    node.children = items.map((it, i) => itemNode(plan, it, i, key, starts));
  } else {
    const text = scalarDisplay(v);
    node.description = text !== undefined && text.trim() !== '' ? oneLine(text, 60) : v.isNull ? 'empty' : 'not a text';
  }
  return withProblems(node, starts.countIn(span));
}

function itemNode(plan: PlanDocument, item: PNode, index: number, key: string, starts: Starts): PlanTreeNodeSpans {
  const span = itemSpan(plan, item);
  let label = `#${index + 1}`;
  let description: string | undefined;
  if (item.isMap) {
    const nameKey = key === 'triggers' ? 'when' : 'name';
    const descKey = key === 'triggers' ? 'action' : 'expect';
    const name = scalarDisplay(item.get(nameKey));
    if (name !== undefined && name.trim() !== '') label = oneLine(name, 60);
    const d = scalarDisplay(item.get(descKey));
    if (d !== undefined && d.trim() !== '') description = oneLine(d, 60);
  } else {
    const t = scalarDisplay(item);
    if (t !== undefined && t.trim() !== '') label = oneLine(t, 80);
  }
  const node: PlanTreeNodeSpans = { label, kind: 'item', span: item.isMap ? (item.firstKeySpan ?? span) : entrySpan(plan, item) };
  if (description !== undefined) node.description = description;
  return withProblems(node, starts.countIn(span));
}

/** The kind's own keys (batch_size, throttle... for a backfill) as one "settings" node. */
function settingsNode(plan: PlanDocument, phase: PNode, kind: string | undefined, starts: Starts): PlanTreeNodeSpans | undefined {
  // A phase of no known kind: the kind-specific keys it has, whichever kind they belong to.
  const known = isPhaseKind(kind);
  const keys = known ? kindSpecificKeys(kind, hasSqlDialect(plan)) : phase.keys().filter((k) => ownerKind(k) !== undefined);
  if (keys.length === 0) return undefined;
  const children: PlanTreeNodeSpans[] = [];
  let problems = 0;
  let first: Span | undefined;
  let present = 0;
  for (const key of keys) {
    const v = phase.get(key);
    if (!v) {
      children.push({ label: key, kind: 'item', description: 'missing', span: phase.firstKeySpan ?? itemSpan(plan, phase) });
      continue;
    }
    present++;
    const span = entrySpan(plan, v);
    first ??= v.keySpan ?? span;
    const n = starts.countIn(span);
    problems += n;
    const text = v.isSeq ? `[${(v.items().map((i) => scalarDisplay(i) ?? '…')).join(', ')}]` : v.isMap ? v.entries().map(([k, x]) => `${k}: ${scalarDisplay(x) ?? '…'}`).join(', ') : scalarDisplay(v);
    children.push(withProblems({ label: key, kind: 'item', description: text !== undefined && text !== '' ? oneLine(text, 60) : 'empty', span: v.keySpan ?? span }, n));
  }
  const description = known ? `${kind} settings: ${present} of ${keys.length} set` : `${plural(present, 'kind-specific setting')}`;
  const node: PlanTreeNodeSpans = { label: 'settings', kind: 'section', description, span: first ?? phase.firstKeySpan ?? itemSpan(plan, phase), children };
  return withProblems(node, problems);
}

function checklistNode(plan: PlanDocument, diagnostics: readonly Diagnostic[], config: LintConfig | undefined): PlanTreeNodeSpans {
  const results = evaluateChecklist(plan, diagnostics, config);
  if (!plan.root || plan.broken) {
    // The rules did not run: nothing can be ticked (as `migplan render` says too).
    const unknown = results.map((r): PlanTreeNodeSpans => ({ label: r.item.label, kind: 'checklist-item', passed: false, description: 'not evaluated' }));
    return { label: 'Quality checklist', kind: 'checklist', description: 'not evaluated: the plan cannot be read', children: unknown };
  }
  const children = results.map((r): PlanTreeNodeSpans => {
    const node: PlanTreeNodeSpans = {
      label: r.item.label,
      kind: 'checklist-item',
      passed: r.passed,
      state: r.state,
      description: r.state === 'passed' ? 'passed' : r.state === 'failed' ? problemsText(r.failures) : r.state === 'not-applicable' ? 'not applicable: no backfill phase' : `unverified: ${r.reason}`,
    };
    if (r.failures > 0) node.problems = r.failures;
    // A click shows what keeps the item from passing (its first problem in document order, else its
    // first placeholder), or, for an item that passed, its section (checklist.ts ChecklistResult.target).
    if (r.target) node.span = r.target;
    return node;
  });
  const failures = results.reduce((n, r) => n + r.failures, 0);
  return withProblems({ label: 'Quality checklist', kind: 'checklist', description: checklistSummary(results), children }, failures);
}
