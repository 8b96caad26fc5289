/**
 * Go to definition and find references between `point_of_no_return` and the
 * phase ids it names.
 */
import type { PNode } from '../parsing/node';
import type { PlanDocument } from '../parsing/plan';
import type { Span } from '../types';
import { within } from './shared';

/** What a cursor is on: a phase's id value, or the point of no return's value. */
interface IdSite {
  id: string;
  /** The id value of a phase (a declaration), or the point-of-no-return value (a reference). */
  declaration: boolean;
}

/** The value of `point_of_no_return` when it is a non-empty string. */
export function ponrNode(plan: PlanDocument): PNode | undefined {
  const n = plan.root?.get('point_of_no_return');
  return n?.text() !== undefined && n.node === n.src ? n : undefined;
}

/** The id value nodes of the phases, written in place (not through aliases). */
export function idNodes(plan: PlanDocument): Array<{ id: string; node: PNode }> {
  const out: Array<{ id: string; node: PNode }> = [];
  for (const p of plan.phases) {
    if (p.id === undefined || p.node.node !== p.node.src) continue;
    const n = p.node.get('id');
    if (n && n.src === n.node && n.src?.range) out.push({ id: p.id, node: n });
  }
  return out;
}

function siteAt(plan: PlanDocument, offset: number): IdSite | undefined {
  const ponr = ponrNode(plan);
  if (ponr && within(ponr.span, offset, true)) return { id: ponr.text()!, declaration: false };
  for (const { id, node } of idNodes(plan)) if (within(node.span, offset, true)) return { id, declaration: true };
  return undefined;
}

/** On `point_of_no_return`'s value: the id value of the phase it names (the first, when ids repeat). */
export function definition(plan: PlanDocument, offset: number): Span | undefined {
  const site = siteAt(plan, offset);
  if (!site || site.declaration) return undefined;
  return idNodes(plan).find((d) => d.id === site.id)?.node.span;
}

/**
 * On a phase id or on `point_of_no_return`'s value: every place the id is
 * written (the phase ids, when `includeDeclaration`, and the point of no
 * return), in text order.
 */
export function references(plan: PlanDocument, offset: number, includeDeclaration: boolean): Span[] {
  const site = siteAt(plan, offset);
  if (!site) return [];
  const out: Span[] = [];
  if (includeDeclaration) for (const d of idNodes(plan)) if (d.id === site.id) out.push(d.node.span);
  const ponr = ponrNode(plan);
  if (ponr && ponr.text() === site.id) out.push(ponr.span);
  return out.sort((a, b) => a[0] - b[0]);
}
