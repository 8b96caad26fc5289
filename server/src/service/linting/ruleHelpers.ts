import type { PathSegment, PNode } from '../parsing/node';
import type { Phase, PhaseKind, PlanDocument } from '../parsing/plan';

/** How a message names a phase: `'backfill'`, or `#3` when it has no id. */
export function phaseName(p: Phase): string {
  return p.id !== undefined ? `'${p.id}'` : `#${p.index + 1}`;
}

/** `Phase 'backfill'` / `Phase #3`. */
export function phaseLabel(p: Phase): string {
  return `Phase ${phaseName(p)}`;
}

/** The rollout order of the method (custom phases are outside it). */
export const KIND_ORDER: readonly PhaseKind[] = ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup'];

/**
 * Present, of a valid type, and empty: `''`, `[]` or `{}`. A null value
 * (`key:` with nothing after it) is not empty but invalid: the schema reports
 * it and the rules stay silent.
 */
export function isEmpty(node: PNode | undefined): boolean {
  if (!node) return false;
  const s = node.str();
  if (s !== undefined) return s.trim() === '';
  return (node.isSeq || node.isMap) && node.size === 0;
}

/** Missing (the key is absent) or empty: what "lacks X" means in the catalog. */
export function isMissingOrEmpty(node: PNode | undefined): boolean {
  return node === undefined || isEmpty(node);
}

/** Phases of a kind, in order. */
export function phasesOf(phases: readonly Phase[], kind: PhaseKind): Phase[] {
  return phases.filter((p) => p.kind === kind);
}

/**
 * A field of the plan as a message names it, from its path:
 * `owner`, `context.downtime.zero_downtime`, "`steps[2]` of phase 'backfill'",
 * "`migration_path` of consumer 'billing-nightly'" (list positions 1-based).
 */
export function fieldLabel(plan: PlanDocument, path: readonly PathSegment[]): string {
  const dotted = (segs: readonly PathSegment[]): string =>
    segs.map((s, i) => (typeof s === 'number' ? `[${s + 1}]` : i === 0 ? s : `.${s}`)).join('');
  if (path[0] === 'phases' && typeof path[1] === 'number') {
    const phase = plan.phases.find((p) => p.index === path[1]);
    const name = phase ? phaseName(phase) : `#${path[1] + 1}`;
    return path.length > 2 ? `\`${dotted(path.slice(2))}\` of phase ${name}` : `Phase ${name}`;
  }
  if (path[0] === 'consumers' && typeof path[1] === 'number') {
    const name = plan.root?.get('consumers')?.items()[path[1]]?.get('name')?.text()?.trim();
    const who = name !== undefined && name.length <= 30 && !/\bTODO\b|^TODO_/.test(name) ? `consumer '${name}'` : `consumer #${path[1] + 1}`;
    return path.length > 2 ? `\`${dotted(path.slice(2))}\` of ${who}` : who[0].toUpperCase() + who.slice(1);
  }
  return `\`${dotted(path)}\``;
}

/** A sentence's first letter in capitals (a field label may start a message). */
export function sentenceCase(s: string): string {
  return s.startsWith('`') ? s : s[0].toUpperCase() + s.slice(1);
}
