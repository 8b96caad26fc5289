/**
 * The method's seven quality-checklist items (spec: "The quality checklist"),
 * judged truthfully. An item is
 *  - failed when one of its rules has a diagnostic, or an implausible value
 *    sits in its fields;
 *  - unverified when a placeholder sits in its fields (whatever the
 *    placeholder rule's severity), or one of its rules is turned off;
 *  - not applicable when the plan has nothing it is about (no backfill phase);
 *  - passed otherwise.
 * Only passed items count in "N of 7". Shared by the Markdown renderer, the
 * tree view and the CLI.
 */
import { severityOf } from '../linting/lint';
import type { PathSegment, PNode } from '../parsing/node';
import { findPlaceholders, type Placeholder } from '../linting/placeholders';
import type { PlanDocument } from '../parsing/plan';
import { missingRootKeySpan, rootKeyPlace } from '../linting/ruleHelpers';
import type { Diagnostic, LintConfig, Span } from '../types';

export type ItemState = 'passed' | 'failed' | 'unverified' | 'not-applicable';

export interface ChecklistItem {
  /** Stable kebab-case id (for tree-view items, CLI output, tests). */
  readonly id: string;
  /** The spec's wording. */
  readonly label: string;
  /** The rules whose diagnostics fail the item. */
  readonly rules: readonly string[];
  /** Whether a path of the plan is one of the item's fields (a placeholder there leaves it unverified). */
  readonly covers: (path: readonly PathSegment[], plan: PlanDocument) => boolean;
  /** The top-level section the item is about: where showing it goes when the plan has none of its fields. */
  readonly section: string;
}

export interface ChecklistResult {
  item: ChecklistItem;
  state: ItemState;
  /** state === 'passed'. */
  passed: boolean;
  /** Diagnostics that fail the item. */
  failures: number;
  /** The first of them, in document order. */
  firstFailure?: Diagnostic;
  /** The item's rules that configuration turned off: the item is not checked, so not ticked. */
  off: string[];
  /** Placeholders in the item's fields. */
  placeholders: Placeholder[];
  /** Why the item is not passed, in a few words ('' when passed). */
  reason: string;
  /**
   * Where showing the item goes (a click in the tree view): a failed item's
   * first problem, an unverified item's first placeholder, else the item's
   * section (its first field in the plan, or the key of the section it is
   * about, or where that section belongs). Undefined when the plan has no
   * top-level mapping or cannot be read.
   */
  target?: Span;
}

/** A field of every phase: `phases[*].<key>`. */
const phaseField = (...keys: string[]) => (path: readonly PathSegment[]): boolean =>
  path[0] === 'phases' && typeof path[1] === 'number' && typeof path[2] === 'string' && keys.includes(path[2]);

const BACKFILL_KEYS = ['idempotent', 'upsert', 'resume', 'key', 'batch_size', 'throttle'];

export const CHECKLIST: readonly ChecklistItem[] = [
  { id: 'explicit-criteria', label: 'every phase has explicit entry criteria, steps and exit criteria', rules: ['phase-criteria'], covers: phaseField('entry', 'steps', 'exit'), section: 'phases' },
  { id: 'trigger-thresholds', label: 'rollback triggers have specific thresholds', rules: ['rollback-trigger', 'trigger-threshold'], covers: phaseField('triggers'), section: 'phases' },
  { id: 'integrity-checks', label: 'integrity checks exist at every phase boundary', rules: ['integrity-check'], covers: phaseField('checks'), section: 'phases' },
  {
    id: 'idempotent-backfill',
    label: 'the backfill is idempotent and restartable',
    rules: ['backfill-idempotent', 'backfill-key-range'],
    covers: (path, plan) => phaseField(...BACKFILL_KEYS)(path) && plan.phases.find((p) => p.index === path[1])?.kind === 'backfill',
    section: 'phases',
  },
  {
    id: 'consumers-cataloged',
    label: 'downstream consumers are cataloged with their migration path',
    rules: ['consumers-cataloged', 'rename-needs-consumers'],
    covers: (p) => p[0] === 'consumers',
    section: 'consumers',
  },
  {
    id: 'rollback-plan',
    label: 'the rollback plan covers every phase, including the point of no return',
    rules: ['rollback-procedure', 'point-of-no-return'],
    covers: (p) => p[0] === 'point_of_no_return' || phaseField('rollback')(p),
    section: 'phases',
  },
  {
    id: 'production-duration',
    label: 'migration duration was estimated against production-scale data',
    rules: ['duration-estimate'],
    covers: (p) => p[0] === 'assessment' && p[1] === 'duration_estimate',
    section: 'assessment',
  },
];

/** Rules that report on any field: their diagnostics fail the item whose field they are on (by `data.path`). */
const FIELD_RULES = new Set(['implausible-value']);

function pathOf(d: Diagnostic): readonly PathSegment[] | undefined {
  const p = d.data?.path;
  return Array.isArray(p) && p.every((s) => typeof s === 'string' || typeof s === 'number') ? (p as PathSegment[]) : undefined;
}

/** Every placeholder of a plan, in document order. */
export function planPlaceholders(plan: PlanDocument): Placeholder[] {
  const out: Placeholder[] = [];
  if (!plan.root || plan.broken) return out;
  for (const [key, value] of plan.root.entries()) if (!key.startsWith('x-')) findPlaceholders(value, [key], plan.text, out);
  return out;
}

/** The checklist, in order, for a plan and its diagnostics (found under `config`). */
export function evaluateChecklist(plan: PlanDocument, diagnostics: readonly Diagnostic[], config?: LintConfig): ChecklistResult[] {
  const placeholders = planPlaceholders(plan);
  const hasBackfill = plan.phases.some((p) => p.kind === 'backfill');
  const evaluated = plan.root !== undefined && !plan.broken;
  return CHECKLIST.map((item) => {
    const failing = diagnostics
      .filter((d) => item.rules.includes(d.rule) || (FIELD_RULES.has(d.rule) && covered(item, pathOf(d), plan)))
      .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    const off = item.rules.filter((r) => severityOf(r, config) === 'off');
    const mine = placeholders.filter((p) => item.covers(p.path, plan));
    let state: ItemState;
    let reason = '';
    if (failing.length > 0) {
      state = 'failed';
      reason = `${failing.length} ${failing.length === 1 ? 'problem' : 'problems'}`;
    } else if (item.id === 'idempotent-backfill' && !hasBackfill) {
      state = 'not-applicable';
      reason = 'no backfill phase';
    } else if (mine.length > 0) {
      state = 'unverified';
      reason = `${mine.length} ${mine.length === 1 ? 'placeholder' : 'placeholders'} to fill in`;
    } else if (off.length > 0) {
      state = 'unverified';
      reason = `${off.join(', ')} turned off`;
    } else state = 'passed';
    const result: ChecklistResult = { item, state, passed: state === 'passed', failures: failing.length, off, placeholders: mine, reason };
    if (failing[0]) result.firstFailure = failing[0];
    if (evaluated) {
      const target = failing[0]
        ? ([plan.lines.offsetAt(failing[0].range.start), plan.lines.offsetAt(failing[0].range.end)] as const)
        : (mine[0]?.span ?? sectionSpan(plan, item));
      result.target = [target[0], target[1]];
    }
    return result;
  });
}

/**
 * Where an item's section is: the key of its first field in the plan
 * (document order), else the key of the top-level section it is about, else
 * where that section belongs.
 */
function sectionSpan(plan: PlanDocument, item: ChecklistItem): Span {
  const root = plan.root!;
  // The item's fields lie at most three keys deep (`phases[2].rollback`, `assessment.duration_estimate`).
  const first = (node: PNode, path: PathSegment[]): Span | undefined => {
    if (node.isMap) {
      for (const [key, value] of node.entries()) {
        const at = [...path, key];
        if (item.covers(at, plan)) return value.keySpan ?? value.span;
        const inside = at.length < 3 ? first(value, at) : undefined;
        if (inside) return inside;
      }
    } else if (node.isSeq && path.length < 2) {
      const items = node.items();
      for (let i = 0; i < items.length; i++) {
        const inside = first(items[i], [...path, i]);
        if (inside) return inside;
      }
    }
    return undefined;
  };
  return first(root, []) ?? root.get(item.section)?.keySpan ?? missingRootKeySpan(root, rootKeyPlace(item.section));
}

function covered(item: ChecklistItem, path: readonly PathSegment[] | undefined, plan: PlanDocument): boolean {
  return path !== undefined && item.covers(path, plan);
}

/** "5 of 7 passed" and what the rest are. */
export function checklistSummary(results: readonly ChecklistResult[]): string {
  const n = (s: ItemState): number => results.filter((r) => r.state === s).length;
  const parts = [`${n('passed')} of ${results.length} passed`];
  if (n('failed')) parts.push(`${n('failed')} failed`);
  if (n('unverified')) parts.push(`${n('unverified')} unverified`);
  if (n('not-applicable')) parts.push(`${n('not-applicable')} not applicable`);
  return parts.join(', ');
}
