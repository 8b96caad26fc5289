import type { PNode } from './node';
import type { Phase, PhaseKind } from './plan';

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
