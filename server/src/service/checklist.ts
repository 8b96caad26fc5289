/**
 * The method's seven quality-checklist items (spec: "The quality checklist").
 * An item is ticked when none of its rules has a diagnostic. Shared by the
 * Markdown renderer, the tree view and the CLI.
 */
import { severityOf } from './lint';
import type { Diagnostic, LintConfig } from './types';

export interface ChecklistItem {
  /** Stable kebab-case id (for tree-view items, CLI output, tests). */
  readonly id: string;
  /** The spec's wording. */
  readonly label: string;
  /** The rules whose diagnostics untick the item. */
  readonly rules: readonly string[];
}

export interface ChecklistResult {
  item: ChecklistItem;
  passed: boolean;
  /** Diagnostics of the item's rules. */
  failures: number;
  /** The item's rules that configuration turned off: the item is not checked, so not ticked. */
  off: string[];
}

export const CHECKLIST: readonly ChecklistItem[] = [
  { id: 'explicit-criteria', label: 'every phase has explicit entry criteria, steps and exit criteria', rules: ['phase-criteria'] },
  { id: 'trigger-thresholds', label: 'rollback triggers have specific thresholds', rules: ['rollback-trigger'] },
  { id: 'integrity-checks', label: 'integrity checks exist at every phase boundary', rules: ['integrity-check'] },
  { id: 'idempotent-backfill', label: 'the backfill is idempotent and restartable', rules: ['backfill-idempotent'] },
  { id: 'consumers-cataloged', label: 'downstream consumers are cataloged with their migration path', rules: ['consumers-cataloged', 'rename-needs-consumers'] },
  { id: 'rollback-plan', label: 'the rollback plan covers every phase, including the point of no return', rules: ['rollback-procedure', 'point-of-no-return'] },
  { id: 'production-duration', label: 'migration duration was estimated against production-scale data', rules: ['duration-estimate'] },
];

/** The checklist, in order, against a plan's diagnostics (and the config they were found under). */
export function evaluateChecklist(diagnostics: readonly Diagnostic[], config?: LintConfig): ChecklistResult[] {
  const counts = new Map<string, number>();
  for (const d of diagnostics) counts.set(d.rule, (counts.get(d.rule) ?? 0) + 1);
  return CHECKLIST.map((item) => {
    const failures = item.rules.reduce((n, r) => n + (counts.get(r) ?? 0), 0);
    const off = item.rules.filter((r) => severityOf(r, config) === 'off');
    return { item, passed: failures === 0 && off.length === 0, failures, off };
  });
}
