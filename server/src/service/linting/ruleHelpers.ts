import type { PathSegment, PNode } from '../parsing/node';
import { insertionAnchor, type InsertOptions } from './fixes';
import type { Phase, PhaseKind, PlanDocument } from '../parsing/plan';
import { PLAN_SCHEMA } from '../parsing/schemaValidator';
import type { Span } from '../types';

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

/** The top-level keys in the order a plan writes them (the schema's order). */
export const ROOT_KEY_ORDER: readonly string[] = Object.keys(PLAN_SCHEMA.properties ?? {});

/** Where a key goes among its siblings, as `Edits.insertEntry` takes it. */
export type KeyPlace = InsertOptions;

/** Where a key of `order` goes: after the keys listed before it, before those listed after it. */
export function placeIn(order: readonly string[], key: string): KeyPlace {
  const i = order.indexOf(key);
  return i < 0 ? { after: order } : { after: order.slice(0, i), before: order.slice(i + 1) };
}

/**
 * Where a diagnostic about a key missing from `map` goes, for a map with no
 * key of its own to carry it (the root): on the key of the entry the missing
 * one would follow, placed as `Edits.insertEntry` places it with the same
 * `place` (so a quick fix inserting it writes it right below that entry), or
 * on the first key when it would come first. Without `place`, and in a flow
 * mapping (`{...}`, where an entry is added at the end), after the last
 * entry. With `known`, an entry of another key (unknown, or an `x-` field of
 * the author's) is passed over for the nearest known one above it. A key,
 * never past the end of the document.
 */
export function missingKeySpan(map: PNode, place: KeyPlace = {}, known?: readonly string[]): Span {
  const entries = map.entries();
  if (entries.length === 0) return map.missingSpan;
  let at = entries.length - 1;
  const anchor = insertionAnchor(map, place);
  const i = anchor ? entries.findIndex(([key]) => key === anchor.key) : -1;
  if (anchor && i >= 0) at = anchor.side === 'after' ? i : Math.max(0, i - 1);
  if (known) {
    let k = at;
    while (k > 0 && !known.includes(entries[k][0])) k--;
    at = k;
  }
  const v = entries[at][1];
  return v.keySpan ?? v.span;
}

/** Where a top-level key goes when no fix says otherwise: by the schema's order of the top-level keys. */
export function rootKeyPlace(key: string): KeyPlace {
  return placeIn(ROOT_KEY_ORDER, key);
}

/**
 * Where a diagnostic about a missing top-level section goes: see
 * missingKeySpan; the plan's own sections only (an `x-` or unknown key is
 * passed over). `place` as the fix inserting the section has it, else by
 * the schema's order (rootKeyPlace).
 */
export function missingRootKeySpan(root: PNode, place: KeyPlace): Span {
  return missingKeySpan(root, place, ROOT_KEY_ORDER);
}
