/**
 * Helpers shared by the editor features: the schema as a tree of properties
 * (with the per-kind keys of phases), finding the node under an offset, and
 * number formatting that does not depend on the locale.
 */
import type { PathSegment, PNode } from '../parsing/node';
import { PHASE_KINDS, type PlanDocument } from '../parsing/plan';
import { PLAN_SCHEMA, type JsonSchema } from '../parsing/schemaValidator';
import { trimEndOffset } from '../parsing/text';
import type { Diagnostic, Span } from '../types';

// ------------------------------------------------------------------ schema

/** A path segment of the schema: a property name, or ITEM for "an item of this list". */
export const ITEM = 0;
export type SchemaSegment = string | number;

function asSchema(s: JsonSchema | boolean | undefined): JsonSchema | undefined {
  return typeof s === 'object' ? s : undefined;
}

/** The schema of a property of an object schema. */
export function propertySchema(parent: JsonSchema | undefined, key: string): JsonSchema | undefined {
  if (!parent?.properties || !Object.prototype.hasOwnProperty.call(parent.properties, key)) return undefined;
  return asSchema(parent.properties[key]);
}

/** The schema at a path of keys and item indexes (numbers: any item). */
export function schemaAt(path: readonly SchemaSegment[]): JsonSchema | undefined {
  let s: JsonSchema | undefined = PLAN_SCHEMA;
  for (const seg of path) {
    if (!s) return undefined;
    s = typeof seg === 'number' ? s.items : propertySchema(s, seg);
  }
  return s;
}

/** The schema of a phase (an item of `phases`). */
export const PHASE_SCHEMA: JsonSchema = schemaAt(['phases', ITEM]) ?? {};

/** The keys each kind forbids, read from the schema's `allOf` of if/then. */
const FORBIDDEN: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  (PHASE_SCHEMA.allOf ?? []).map((branch) => {
    const kind = asSchema(branch.if?.properties?.kind)?.const;
    return [String(kind), new Set(Object.keys(branch.then?.properties ?? {}))];
  }),
);

const PHASE_KEYS = Object.keys(PHASE_SCHEMA.properties ?? {});

/** Whether a kind is one of the format's phase kinds. */
export function isPhaseKind(kind: string | undefined): boolean {
  return kind !== undefined && (PHASE_KINDS as readonly string[]).includes(kind);
}

/** Keys that hold SQL, or say how it runs: a plan without `context.dialect` has no use for them. */
export const SQL_KEYS: ReadonlySet<string> = new Set(['sql', 'rollback_sql', 'key', 'rehearsal']);

/** The keys a phase of this kind takes, in the schema's order (every key when the kind is missing or unknown); the SQL keys with `sql` only. */
export function phaseKeysFor(kind: string | undefined, sql = false): string[] {
  const forbidden = kind !== undefined && isPhaseKind(kind) ? FORBIDDEN.get(kind) : undefined;
  return PHASE_KEYS.filter((k) => !forbidden?.has(k) && (sql || !SQL_KEYS.has(k)));
}

/** The kind a kind-specific key belongs to (`batch_size` → backfill); undefined for keys every phase takes. */
export function ownerKind(key: string): string | undefined {
  if (!PHASE_KEYS.includes(key)) return undefined;
  const owners = PHASE_KINDS.filter((k) => FORBIDDEN.has(k) && !FORBIDDEN.get(k)!.has(key));
  return owners.length === 1 ? owners[0] : undefined;
}

/** The kind-specific keys of a kind, in the schema's order; the SQL ones (a backfill's `key`) with `sql` only. */
export function kindSpecificKeys(kind: string | undefined, sql = false): string[] {
  if (!isPhaseKind(kind)) return [];
  return PHASE_KEYS.filter((k) => ownerKind(k) === kind && (sql || !SQL_KEYS.has(k)));
}

/** Whether a path (of the plan) is inside a phase: `['phases', n, ...]`. */
export function isPhasePath(path: readonly PathSegment[]): boolean {
  return path[0] === 'phases' && typeof path[1] === 'number';
}

// ------------------------------------------------------------------ nodes under an offset

export interface Located {
  /** The value node (for a key hit, the value under that key). */
  node: PNode;
  /** True when the offset is on the key of the entry. */
  onKey: boolean;
}

/** Whether `offset` lies in `span`: [s, e) or, with `inclusiveEnd`, [s, e]. */
export function within(span: Span, offset: number, inclusiveEnd = false): boolean {
  return offset >= span[0] && (inclusiveEnd ? offset <= span[1] : offset < span[1]);
}

/** The span of a sequence item from its dash, without trailing line breaks. */
export function itemSpan(plan: PlanDocument, item: PNode): Span {
  const [s, e] = item.span;
  const start = item.dashOffset ?? s;
  return [start, Math.max(start + 1, trimEndOffset(plan.text, start, e))];
}

/** The span of a map entry: from its key to the end of its value, without trailing line breaks. */
export function entrySpan(plan: PlanDocument, value: PNode): Span {
  const k = value.keySpan;
  const v = value.src?.range ? value.span : undefined;
  if (!k) return v ? [v[0], trimEndOffset(plan.text, v[0], v[1])] : [0, 0];
  return [k[0], Math.max(k[1], v ? trimEndOffset(plan.text, k[0], v[1]) : k[1])];
}

/**
 * The deepest key or value under `offset` (scalars and collections), walking
 * the plan's tree as written (aliases are not followed: their nodes are
 * elsewhere in the text).
 */
export function locate(plan: PlanDocument, offset: number, inclusiveEnd = false): Located | undefined {
  const root = plan.root;
  if (!root) return undefined;
  const visit = (n: PNode, depth: number): Located | undefined => {
    if (depth > 64 || n.node !== n.src) return undefined;
    if (n.isMap) {
      for (const [, v] of n.entries()) {
        const k = v.keySpan;
        if (k && within(k, offset, inclusiveEnd)) return { node: v, onKey: true };
        if (v.src && v.src.range && within(v.span, offset, inclusiveEnd)) return visit(v, depth + 1) ?? { node: v, onKey: false };
      }
    } else if (n.isSeq) {
      for (const it of n.items()) {
        if (it.src && it.src.range && within(it.span, offset, inclusiveEnd)) return visit(it, depth + 1) ?? { node: it, onKey: false };
      }
    }
    return undefined;
  };
  return visit(root, 0);
}

/** The phase node a path leads into (`['phases', 2, ...]`), if any. */
export function phaseOfPath(plan: PlanDocument, path: readonly PathSegment[]): PNode | undefined {
  if (!isPhasePath(path)) return undefined;
  const item = plan.root?.get('phases')?.items()[path[1] as number];
  return item?.isMap ? item : undefined;
}

// ------------------------------------------------------------------ diagnostics

/** A diagnostic's range in offsets of the plan's text. */
export function diagnosticSpan(plan: PlanDocument, d: Diagnostic): Span {
  return [plan.lines.offsetAt(d.range.start), plan.lines.offsetAt(d.range.end)];
}

/** How many diagnostics start inside a span. */
export function countStartingIn(starts: readonly number[], span: Span): number {
  let n = 0;
  for (const s of starts) if (s >= span[0] && (s < span[1] || (span[0] === span[1] && s === span[0]))) n++;
  return n;
}

// ------------------------------------------------------------------ text

/** `48,000,000`; decimals kept (up to `digits`), never locale-dependent. */
export function formatCount(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return String(n);
  const neg = n < 0;
  const raw = Math.abs(n).toFixed(digits);
  const fixed = raw.includes('.') ? raw.replace(/\.?0+$/, '') : raw;
  const [int, frac] = fixed.split('.');
  let out = '';
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) out += ',';
    out += int[i];
  }
  return (neg && fixed !== '0' ? '-' : '') + out + (frac ? `.${frac}` : '');
}

/** `1 row` / `2 rows`. */
export function plural(n: number, word: string, words = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : words}`;
}

/** One line, at most `max` characters (an ellipsis when cut). */
export function oneLine(text: string, max = 80): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s;
}

/** A scalar's display text (strings as written, numbers and booleans as text). */
export function scalarDisplay(node: PNode | undefined): string | undefined {
  const v = node?.scalar;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
