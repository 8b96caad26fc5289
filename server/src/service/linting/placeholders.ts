/**
 * Placeholders and empty answers: values that stand where a person's answer
 * belongs (`TODO: …`, `?`, `n/a`, `-`, `yes` where a sentence or a name is
 * needed) and conditions whose two sides are the same (`ok = ok`). The
 * `placeholder` rule reports them; the checklist counts an item with one in
 * its fields as unverified, whatever the rule's severity; the schema leaves a
 * placeholder in a typed field (`rows: TODO`) to the rule, so that one
 * problem gives one diagnostic.
 */
import type { PathSegment, PNode } from '../parsing/node';
import type { Span } from '../types';
import { parseCondition } from '../parsing/values';

/** How a field is filled in. */
export type FieldKind = 'text' | 'typed' | 'condition';

/** Keys whose values are typed (numbers, durations, dates, enums, ids, booleans): not sentences. */
const TYPED_KEYS: ReadonlySet<string> = new Set([
  'migplan', 'kind', 'access', 'basis', 'id', 'point_of_no_return', 'batch_size', 'idempotent', 'shadow_reads',
  'ramp', 'soak', 'latency_budget', 'grace_period', 'max_replica_lag', 'rows', 'size', 'zero_downtime', 'window',
  'max_revert_time', 'data_loss_acceptable', 'p50', 'p99', 'duration', 'measured_on', 'backup_restore_tested',
  'mode', 'dialect',
]);

/** Keys whose values are conditions. */
const CONDITION_KEYS: ReadonlySet<string> = new Set(['when', 'expect']);

/** The kind of the field at a path (the nearest key decides: a list's items are of the list's kind). */
export function fieldKind(path: readonly PathSegment[]): FieldKind {
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i];
    if (typeof seg !== 'string') continue;
    if (CONDITION_KEYS.has(seg)) return 'condition';
    return TYPED_KEYS.has(seg) ? 'typed' : 'text';
  }
  return 'text';
}

/** Markers of unfinished text, in capitals, anywhere in a value. */
const MARKER = /\b(?:TODO|TBD|TBC|FIXME)\b|\bTODO_\w+/;
/** A metric that is a placeholder (`todo_metric = 0`, which the schema's fix writes for a missing condition). */
const TODO_METRIC = /^\s*todo_/i;
/** Whole values that say nothing, wherever they are. */
const EMPTY_WORDS: ReadonlySet<string> = new Set([
  '?', '??', '???', '...', '…', '-', '--', '---', '.', '..', '_', 'n/a', 'na', 'n.a.', 'tbd', 'tba', 'tbc', 'todo', 'fixme', 'xxx',
  'placeholder', 'unknown', 'later', 'see above', 'see below', 'as above', 'same', 'same as above', 'etc', 'etc.',
]);
/** Whole values that answer a question nobody asked where a sentence or a name is needed. */
const BARE_ANSWERS: ReadonlySet<string> = new Set(['yes', 'no', 'y', 'n', 'ok', 'okay', 'done', 'true', 'false', 'x', 'k', '✓', '✔', 'sure', 'fine', 'checked']);

/** Why a value is a placeholder or an empty answer, in a few words; undefined when it is an answer. */
export function placeholderWhy(value: string, kind: FieldKind): string | undefined {
  const v = value.trim();
  if (v === '') return undefined; // empty values are the other rules' (a missing answer)
  const marker = MARKER.exec(v);
  if (marker) return `a ${marker[0].startsWith('TODO_') ? 'TODO' : marker[0]} placeholder`;
  const lower = v.toLowerCase();
  if (EMPTY_WORDS.has(lower) || /^[?.\-_…\s]+$/.test(v)) return 'an empty answer';
  if (/^<[^<>]*>$/.test(v) || /^\$\{[^}]*\}$/.test(v)) return 'a template placeholder';
  if (kind === 'text' && BARE_ANSWERS.has(lower)) return 'a bare answer where a sentence or a name is needed';
  if (kind === 'condition') {
    if (TODO_METRIC.test(v)) return 'a placeholder metric';
    const c = parseCondition(v);
    if (c?.otherMetric !== undefined && c.otherMetric === c.metric) return 'a condition whose two sides are the same';
  }
  return undefined;
}

/** A placeholder found in a plan. */
export interface Placeholder {
  node: PNode;
  path: readonly PathSegment[];
  /** Where to report it: the marker's line inside a long value, else the value. */
  span: Span;
  value: string;
  why: string;
}

/** Whether a key is the author's own (`x-…`): nothing under it is a field of the method. */
export function isExtensionKey(key: PathSegment | undefined): boolean {
  return typeof key === 'string' && key.startsWith('x-');
}

/**
 * The scalars under a node with their paths, in document order, keys and
 * `x-` entries aside. Iterative (a plan may nest 200 levels), and each
 * collection is visited once (an alias can point back at its own ancestor).
 */
export function scalarsUnder(node: PNode, path: readonly PathSegment[], visit: (scalar: PNode, path: readonly PathSegment[]) => void): void {
  const stack: Array<{ node: PNode; path: readonly PathSegment[] }> = [{ node, path }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const { node: n, path: p } = stack.pop()!;
    if (n.isMap || n.isSeq) {
      const resolved = n.node;
      if (resolved && seen.has(resolved)) continue;
      if (resolved) seen.add(resolved);
      const children: Array<{ node: PNode; path: readonly PathSegment[] }> = [];
      if (n.isMap) {
        for (const [key, value] of n.entries()) if (!isExtensionKey(key)) children.push({ node: value, path: [...p, key] });
      } else n.items().forEach((item, i) => children.push({ node: item, path: [...p, i] }));
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
      continue;
    }
    visit(n, p);
  }
}

/**
 * The placeholders under a node (its scalars, keys aside), in document
 * order. `text` is the plan's text, to place a marker inside a long value.
 */
export function findPlaceholders(node: PNode, path: readonly PathSegment[], text: string, out: Placeholder[] = []): Placeholder[] {
  scalarsUnder(node, path, (scalar, p) => {
    const value = scalar.str();
    if (value === undefined) return;
    const why = placeholderWhy(value, fieldKind(p));
    if (why !== undefined) out.push({ node: scalar, path: p, span: markerSpan(scalar, value, text), value, why });
  });
  return out;
}

/** The line of a multi-line value that holds its marker (as written in the text), else the value's span. */
function markerSpan(node: PNode, value: string, text: string): Span {
  const span = node.reportSpan;
  if (!value.includes('\n')) return span;
  const m = MARKER.exec(value);
  if (!m) return span;
  const at = text.indexOf(m[0], span[0]);
  if (at < 0 || at >= span[1]) return span;
  let end = at;
  while (end < span[1] && text[end] !== '\n' && text[end] !== '\r') end++;
  let start = at;
  while (start > span[0] && text[start - 1] !== '\n' && text[start - 1] !== '\r' && text[start - 1] !== ' ') start--;
  return [start, end];
}

/** A value as a message quotes it: its first line, cut to `max` characters. */
export function quoteValue(value: string, max = 28): string {
  const first = value.trim().split(/\r?\n/)[0];
  const cut = first.length > max ? `${first.slice(0, max - 1)}…` : first !== value.trim() ? `${first}…` : first;
  return `'${cut}'`;
}
