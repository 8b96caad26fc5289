/**
 * Rename a phase id and what refers to it. The format refers to phase ids in
 * one place, `point_of_no_return` (see navigation.ts, which finds both ends),
 * so a rename from a phase's id or from the point of no return's value
 * rewrites the id and the point of no return together.
 *
 * With duplicate ids, the rename follows go to definition: the point of no
 * return goes with the first phase of that id only, and renaming a later
 * duplicate renames that phase alone (the usual way out of `duplicate-id`).
 *
 * Quoting is kept: a quoted id stays quoted the same way; a plain one stays
 * plain unless the new name would read as something else than a string
 * (`123`, `1e5`, `null`, `true`), then it is double-quoted.
 */
import { parse } from 'yaml';
import { COMPOSE_OPTIONS } from '../parsing/fastParse';
import type { PNode } from '../parsing/node';
import type { PlanDocument } from '../parsing/plan';
import { PATTERNS } from '../parsing/values';
import type { Span } from '../types';
import { idNodes, ponrNode } from './navigation';
import { within } from './shared';

/** What prepareRename found: the id under the cursor, without its quotes. */
export interface RenameTarget {
  span: Span;
  placeholder: string;
}

/** One replacement in the plan's text. */
export interface RenameEdit {
  span: Span;
  newText: string;
}

/** A refusal, in words the editor shows. */
export interface RenameRefusal {
  error: string;
}

const PHASE_ID = new RegExp(PATTERNS.phaseId);

type Quote = '' | "'" | '"';

/** One place the id is written: the scalar's span, its quoting and the span of its text inside the quotes. */
interface Occurrence {
  span: Span;
  inner: Span;
  quote: Quote;
}

/** The places a rename at `offset` rewrites, with the id and the one under the cursor; a refusal; or undefined (nothing to rename there). */
function occurrencesAt(plan: PlanDocument, offset: number): { id: string; at: Occurrence; all: Occurrence[]; rewritten: Set<PNode> } | RenameRefusal | undefined {
  const ponr = ponrNode(plan);
  const decls = idNodes(plan);
  let id: string;
  let under: PNode;
  let nodes: PNode[];
  if (ponr && within(ponr.span, offset, true)) {
    id = ponr.text()!;
    under = ponr;
    const first = decls.find((d) => d.id === id);
    if (!first) return { error: `No phase has the id '${id}': there is nothing to rename. Point point_of_no_return at an existing phase id first.` };
    nodes = [first.node, ponr];
  } else {
    const here = decls.find((d) => within(d.node.span, offset, true));
    if (!here) return undefined;
    id = here.id;
    under = here.node;
    const same = decls.filter((d) => d.id === id);
    const withPonr = same[0] === here && ponr?.text() === id;
    nodes = same.length > 1 ? [here.node] : same.map((d) => d.node);
    if (withPonr) nodes.push(ponr);
  }
  nodes.sort((a, b) => a.span[0] - b.span[0]);
  const all: Occurrence[] = [];
  let at: Occurrence | undefined;
  for (const n of nodes) {
    const occ = occurrence(plan, n.span, id);
    if (!occ) {
      const line = plan.lines.positionAt(n.span[0]).line + 1;
      return { error: `The id '${id}' on line ${line} is written in a form rename does not rewrite (escapes, a block scalar or several lines). Write it on one line, plain or quoted, and rename again.` };
    }
    all.push(occ);
    if (n === under) at = occ;
  }
  return at ? { id, at, all, rewritten: new Set(nodes) } : undefined;
}

/** How `id` is written at `span`: plain, or in single or double quotes without escapes; undefined for anything else. */
function occurrence(plan: PlanDocument, span: Span, id: string): Occurrence | undefined {
  const raw = plan.text.slice(span[0], span[1]);
  if (raw === id) return { span, inner: span, quote: '' };
  const q = raw[0];
  if ((q === '"' || q === "'") && raw === `${q}${id}${q}` && !id.includes(q) && (q === "'" || !id.includes('\\'))) {
    return { span, inner: [span[0] + 1, span[1] - 1], quote: q };
  }
  return undefined;
}

/** Whether `name`, written plain, reads back as that string (not `123`, `1e5`, `null`, `true`). */
function plainSafe(name: string): boolean {
  try {
    return parse(name, COMPOSE_OPTIONS) === name;
  } catch {
    return false;
  }
}

/**
 * F2 on a place in the plan: the span of the phase id under the cursor (a
 * phase's `id` value or `point_of_no_return`'s value, without quotes) and
 * the id as the placeholder; a refusal when it cannot be renamed; undefined
 * anywhere else (keys, comments, other values).
 */
export function prepareRename(plan: PlanDocument, offset: number): RenameTarget | RenameRefusal | undefined {
  const found = occurrencesAt(plan, offset);
  if (!found || 'error' in found) return found;
  return { span: found.at.inner, placeholder: found.id };
}

/** Why `newName` cannot replace the id `id` in `plan`, if it cannot. */
function refusal(plan: PlanDocument, id: string, newName: string, rewritten: ReadonlySet<PNode>): string | undefined {
  if (!PHASE_ID.test(newName)) {
    const shown = newName.length > 40 ? `${newName.slice(0, 39)}…` : newName;
    return `'${shown}' is not a valid phase id: use lowercase letters, digits and hyphens, starting with a letter or digit (${PATTERNS.phaseId.slice(1, -1)}).`;
  }
  if (newName === id) return undefined;
  const taken = plan.phases.find((p) => {
    const n = p.node.get('id');
    return p.id === newName && !(n && rewritten.has(n));
  });
  if (taken) return `Another phase already has the id '${newName}' (phase ${taken.index + 1}). Phase ids must be unique.`;
  return undefined;
}

/**
 * The edits that rename the phase id under the cursor (or named by the point
 * of no return under it) to `newName`, in text order; a refusal (an id the
 * format does not allow, one already taken, an id written in a form this
 * does not rewrite); undefined where there is nothing to rename. Renaming
 * to the same id gives no edits.
 */
export function rename(plan: PlanDocument, offset: number, newName: string): RenameEdit[] | RenameRefusal | undefined {
  const found = occurrencesAt(plan, offset);
  if (!found || 'error' in found) return found;
  const error = refusal(plan, found.id, newName, found.rewritten);
  if (error) return { error };
  if (newName === found.id) return [];
  const safe = plainSafe(newName);
  return found.all.map((o) => (o.quote !== '' || safe ? { span: o.inner, newText: newName } : { span: o.span, newText: JSON.stringify(newName) }));
}
