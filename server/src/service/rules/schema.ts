import { type RawEdit, type RawFix, type YValue } from '../linting/fixes';
import type { PNode } from '../parsing/node';
import { PHASE_KINDS, type Phase } from '../parsing/plan';
import { defineRule, type RuleContext } from '../linting/rule';
import { missingRootKeySpan, phaseLabel, phaseName, placeIn, type KeyPlace } from '../linting/ruleHelpers';
import { getPlanValidator, PLAN_SCHEMA, type JsonSchema, type SchemaError } from '../parsing/schemaValidator';
import type { Span } from '../types';
import { placeholderWhy } from '../linting/placeholders';
import { PATTERNS } from '../parsing/values';

// ------------------------------------------------------------------ helpers

type Seg = string | number;

/** JSON pointer (ajv's instancePath) to segments, `~1`/`~0` unescaped. */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Walks the plan by instance path: the node, and whether the whole path was found. */
function walk(root: PNode, segs: readonly string[]): { node: PNode; path: Seg[]; complete: boolean } {
  let node = root;
  const path: Seg[] = [];
  for (const s of segs) {
    let next: PNode | undefined;
    if (node.isSeq) {
      const i = /^\d+$/.test(s) ? Number(s) : -1;
      next = node.items()[i];
      if (next) path.push(i);
    } else if (node.isMap) {
      next = node.get(s);
      if (next) path.push(s);
    }
    if (!next) return { node, path, complete: false };
    node = next;
  }
  return { node, path, complete: true };
}

/** The schema of the node at a path (through properties and items). */
function schemaAt(path: readonly Seg[]): JsonSchema | undefined {
  let s: JsonSchema | undefined = PLAN_SCHEMA;
  for (const seg of path) {
    if (!s) return undefined;
    if (typeof seg === 'number') s = s.items;
    else {
      const p: JsonSchema | boolean | undefined = s.properties?.[seg];
      s = typeof p === 'object' ? p : undefined;
    }
  }
  return s;
}

/** The plain value at a path of the plan's JSON. */
function jsonAt(json: unknown, segs: readonly string[]): unknown {
  let v = json;
  for (const s of segs) {
    if (Array.isArray(v)) v = v[Number(s)];
    else if (v !== null && typeof v === 'object') v = (v as Record<string, unknown>)[s];
    else return undefined;
  }
  return v;
}

/** The keys each kind forbids (the other kinds' keys), read from the schema's `allOf` of if/then. */
const PHASE_SCHEMA = (PLAN_SCHEMA.properties?.phases as JsonSchema).items as JsonSchema;
const PHASE_KEYS = Object.keys(PHASE_SCHEMA.properties ?? {});
const FORBIDDEN: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  (PHASE_SCHEMA.allOf ?? []).map((branch) => {
    const kind = (branch.if?.properties?.kind as JsonSchema | undefined)?.const as string;
    return [kind, new Set(Object.keys(branch.then?.properties ?? {}))];
  }),
);
/** The kind a kind-specific key belongs to (`batch_size` → backfill). */
function ownerKind(key: string): string | undefined {
  const owners = PHASE_KINDS.filter((k) => FORBIDDEN.has(k) && !FORBIDDEN.get(k)!.has(key));
  return owners.length === 1 ? owners[0] : undefined;
}
/** Keys a phase of this kind takes (every key when the kind is missing or invalid). */
function phaseKeysFor(kind: string | undefined): string[] {
  const forbidden = kind !== undefined ? FORBIDDEN.get(kind) : undefined;
  return PHASE_KEYS.filter((k) => !forbidden?.has(k));
}

/**
 * Optimal string alignment distance (Levenshtein with transpositions) when it
 * is at most `max`, else `max + 1`. Strings whose lengths differ by more than
 * `max` are not compared at all; otherwise only the diagonal band of width
 * `max` either side is computed, three rows of the shorter string's length at
 * a time, and the comparison stops as soon as no cell can come back under `max`.
 */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a.length < b.length) [a, b] = [b, a];
  const n = b.length;
  const over = max + 1;
  // Rows i-2, i-1 and i of the matrix over b (columns 0..n); cells outside the band hold `over`.
  let before = new Array<number>(n + 1).fill(over);
  let prev = new Array<number>(n + 1).fill(over);
  let row = new Array<number>(n + 1).fill(over);
  for (let j = 0; j <= Math.min(n, max); j++) prev[j] = j;
  let prevMin = 0;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - max);
    const to = Math.min(n, i + max);
    row.fill(over);
    if (i <= max) row[0] = i;
    let rowMin = row[0];
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      if (d > over) d = over;
      row[j] = d;
      if (d < rowMin) rowMin = d;
    }
    // A cell is one more than a cell of the row above or (a transposition) two above: when both
    // rows are past `max`, so is every cell below them.
    if (rowMin > max && prevMin > max) return over;
    prevMin = rowMin;
    [before, prev, row] = [prev, row, before];
  }
  return Math.min(prev[n], over);
}

/** Inputs longer than this get no suggestion: no key or enum value is nearly that long. */
const MAX_SUGGEST_INPUT = 64;

const normalize = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');

/** One contains the other at its start or end (`entry_criteria` / `entry`, `microservice` / `service`). */
function affix(a: string, b: string): boolean {
  if (a.length < 4 || b.length < 4) return false;
  return a.startsWith(b) || b.startsWith(a) || a.endsWith(b) || b.endsWith(a);
}

/** The closest candidate to a misspelling, when one is close enough to be meant. */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  // Before anything reads the input: a value can be megabytes long.
  if (input.length > MAX_SUGGEST_INPUT) return undefined;
  const lower = input.toLowerCase();
  const norm = normalize(input);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === input) continue;
    let score: number;
    if (normalize(c) === norm) score = 0;
    else {
      const max = Math.max(lower.length, c.length) <= 4 ? 1 : Math.max(lower.length, c.length) <= 8 ? 2 : 3;
      const d = distance(lower, c.toLowerCase(), max);
      if (d <= max) score = d;
      else if (affix(norm, normalize(c))) score = max + 1;
      else continue;
    }
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** A user's value as a message shows it. */
function shown(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') {
    const first = v.split(/\r?\n/)[0];
    const cut = first.length > 40 ? `${first.slice(0, 40)}…` : first !== v ? `${first}…` : first;
    return `'${cut}'`;
  }
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

const code = (s: string): string => `\`${s}\``;
const list = (xs: readonly unknown[]): string => xs.map(String).join(', ');

// ------------------------------------------------------------ value forms

interface Form {
  noun: string;
  how: string;
  /** A typical value, for combined forms: "a duration such as 14d". */
  example: string;
  /** A corrected value for a near miss (`5 min` → `5m`), when one is obvious. */
  normalize?: (v: unknown) => string | undefined;
}

const DURATION_WORDS: Record<string, string> = {
  ms: 'ms', msec: 'ms', millisecond: 'ms', milliseconds: 'ms',
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', wk: 'w', wks: 'w', week: 'w', weeks: 'w',
};

function normalizeDuration(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(v);
  const unit = m ? DURATION_WORDS[m[2].toLowerCase()] : undefined;
  return m && unit ? `${m[1]}${unit}` : undefined;
}

const FORMS: Record<string, Form> = {
  [PATTERNS.duration]: { noun: 'a duration', example: '14d', how: 'write a number and a unit with no space, such as 250ms, 5s, 24h, 14d or 2w', normalize: normalizeDuration },
  [PATTERNS.percentage]: {
    noun: 'a percentage',
    example: '10%',
    how: 'write a number followed by %, such as 10% or 0.5%',
    normalize: (v) => {
      if (typeof v === 'number' && v >= 0) return `${v}%`;
      const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(?:%|percent)?\s*$/i.exec(v) : null;
      return m ? `${m[1]}%` : undefined;
    },
  },
  [PATTERNS.size]: {
    noun: 'a size',
    example: '21GiB',
    how: 'write a number and a unit with no space (B, KiB, MiB, GiB, TiB, or KB, MB, GB, TB), such as 21GiB',
    normalize: (v) => {
      const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s+(KiB|MiB|GiB|TiB|KB|MB|GB|TB|B)\s*$/.exec(v) : null;
      return m ? `${m[1]}${m[2]}` : undefined;
    },
  },
  [PATTERNS.releaseSpan]: { noun: 'a release span', example: "'2 releases'", how: "write a whole number and 'release' or 'releases', such as '2 releases'" },
  [PATTERNS.date]: { noun: 'a date', example: '2026-11-03', how: 'write it as YYYY-MM-DD, such as 2026-11-03' },
  [PATTERNS.phaseId]: { noun: 'a valid phase id', example: "'backfill'", how: "use lowercase letters, digits and hyphens, starting with a letter or digit, such as 'backfill' or 'cutover-eu'" },
};

/** The value form a schema node asks for (its pattern, or the alternatives of its anyOf). */
function formOf(schema: JsonSchema | undefined): Form | undefined {
  if (!schema) return undefined;
  if (schema.pattern) return FORMS[schema.pattern];
  const alts = (schema.anyOf ?? []).map((a) => (a.pattern ? FORMS[a.pattern] : undefined));
  if (alts.length === 0 || alts.some((a) => a === undefined)) return undefined;
  const forms = alts as Form[];
  return {
    noun: forms.map((f) => f.noun).join(' or '),
    example: forms[0].example,
    how: `write ${forms.map((f) => `${f.noun} such as ${f.example}`).join(' or ')}`,
    normalize: (v) => forms.map((f) => f.normalize?.(v)).find((x) => x !== undefined),
  };
}

// ----------------------------------------------------------------- naming

/** Context used to name nodes in messages. */
class Namer {
  constructor(
    readonly ctx: RuleContext,
    readonly root: PNode,
  ) {}

  phase(index: number): Phase | undefined {
    return this.ctx.plan.phases.find((p) => p.index === index);
  }

  phaseLabelAt(index: number): string {
    const p = this.phase(index);
    return p ? phaseLabel(p) : `Phase #${index + 1}`;
  }

  phaseNameAt(index: number): string {
    const p = this.phase(index);
    return p ? `phase ${phaseName(p)}` : `phase #${index + 1}`;
  }

  private named(path: readonly Seg[], noun: string, index: number): string {
    const name = walk(this.root, path.map(String)).node.get('name')?.text();
    return name !== undefined ? `${noun} '${name}'` : `${noun} #${index + 1}`;
  }

  /** A map or item, as the subject of a sentence: "Phase 'cutover'", "Check #2 in phase 'backfill'". */
  subject(path: readonly Seg[]): string {
    const [a, b, c, d] = path;
    const n = path.length;
    if (n === 0) return 'The plan';
    if (a === 'phases' && typeof b === 'number') {
      if (n === 2) return this.phaseLabelAt(b);
      if (n === 4 && c === 'checks' && typeof d === 'number') return `${this.named(path, 'Check', d)} in ${this.phaseNameAt(b)}`;
      if (n === 4 && c === 'triggers' && typeof d === 'number') return `Trigger #${d + 1} in ${this.phaseNameAt(b)}`;
      if (n === 3 && typeof c === 'string') return `${code(c)} of ${this.phaseNameAt(b)}`;
    }
    if (a === 'consumers' && typeof b === 'number' && n === 2) return this.named(path, 'Consumer', b);
    if (a === 'context' && b === 'changes' && typeof c === 'number' && n === 3) return `Change #${c + 1} in ${code('context.changes')}`;
    if (a === 'context' && b === 'data_volume' && typeof c === 'number' && n === 3) return `Entry #${c + 1} of ${code('context.data_volume')}`;
    const last = path[n - 1];
    const parent = path[n - 2];
    if (typeof last === 'number') return `Item #${last + 1} of ${code(typeof parent === 'string' ? parent : dotted(path.slice(0, -1)))}`;
    return code(dotted(path));
  }

  /** "in phase 'cutover'", "at the top level". */
  where(path: readonly Seg[]): string {
    if (path.length === 0) return 'at the top level';
    const s = this.subject(path);
    return `in ${s.startsWith('`') ? s : s[0].toLowerCase() + s.slice(1)}`;
  }

  /** A value, as the subject of a sentence: "`soak`", "Item #2 of `entry`", "Phase #3". */
  valueSubject(path: readonly Seg[]): string {
    const last = path[path.length - 1];
    if (typeof last === 'number') return this.subject(path);
    return code(String(last));
  }
}

function dotted(path: readonly Seg[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function pathKey(path: readonly Seg[]): string {
  return path.map((s) => (typeof s === 'number' ? '*' : s)).join('/');
}

/** What each enum is, for "'cutovr' is not a phase kind". */
const ENUM_NOUNS: Record<string, string> = {
  'phases/*/kind': 'a phase kind',
  'consumers/*/kind': 'a consumer kind',
  'consumers/*/access': 'an access mode',
  'context/changes/*/kind': 'a change kind',
  'assessment/duration_estimate/basis': 'a duration-estimate basis',
};

// ----------------------------------------------------------- missing keys

interface Required {
  why: string;
  /** The placeholder to insert, or undefined when no value can be made up. */
  value?: (map: PNode, path: readonly Seg[], namer: Namer) => YValue | undefined;
}

const REQUIRED: Record<string, Record<string, Required>> = {
  '': {
    migplan: { why: 'add `migplan: 1` at the top so tools know which version of the format the file follows', value: () => 1 },
    title: { why: 'say in one line what changes; it heads the rendered plan and the tree view', value: () => 'TODO: what changes, in one line' },
    owner: { why: 'name the data owner who signs off the migration', value: () => 'TODO: the data owner who signs off' },
    phases: { why: 'list the rollout in order: dual-write, backfill, cutover, verification, cleanup', value: () => [] },
  },
  'phases/*': {
    id: { why: 'give it a unique id (lowercase letters, digits and hyphens) so `point_of_no_return` and reviewers can refer to it', value: placeholderId },
    kind: {
      why: `say what the phase does, so the rules know what to check. Use one of: ${list(PHASE_KINDS)}`,
      value: (map) => {
        const id = map.get('id')?.str();
        return id !== undefined && (PHASE_KINDS as readonly string[]).includes(id) ? id : 'custom';
      },
    },
  },
  'phases/*/checks/*': {
    name: { why: 'say in a few words what it verifies', value: () => 'TODO: what this check verifies' },
    expect: { why: 'without a condition nothing says when the check passes. Write one such as `count(new) = count(old)`', value: () => 'todo_metric = 0' },
  },
  'phases/*/triggers/*': {
    when: { why: 'write the threshold that fires it, such as `error_rate > 0.1% for 5m`', value: () => 'todo_metric > 0' },
    action: { why: "write what to do when it fires, such as 'Set the flag back to 0%'", value: () => 'TODO: what to do when this fires' },
  },
  'consumers/*': {
    name: { why: 'name the service, job, cache, index, API or event that reads or writes the tables', value: () => 'TODO: consumer name' },
    kind: { why: `say what it is: one of ${list(enumAt(['consumers', 0, 'kind']))}`, value: () => `TODO: one of ${list(enumAt(['consumers', 0, 'kind']))}` },
  },
  'context/changes/*': {
    kind: { why: `say what changes: one of ${list(enumAt(['context', 'changes', 0, 'kind']))}`, value: () => 'TODO: the kind of change' },
    table: { why: 'name the table it applies to, so its consumers can be checked', value: () => 'TODO: table' },
  },
  'context/data_volume/*': {
    table: { why: 'name the table these numbers describe', value: () => 'TODO: table' },
  },
  'assessment/duration_estimate': {
    basis: { why: 'say what the estimate was measured on: production, production-replica, staging or guess', value: () => 'TODO: production, production-replica, staging or guess' },
    duration: { why: 'write how long the migration is expected to take, such as 6h (measured on production-scale data)' },
  },
};

function enumAt(path: readonly Seg[]): unknown[] {
  return schemaAt(path)?.enum ?? [];
}

/** A unique id for a phase without one: its kind when free, else phase-<n>. */
function placeholderId(map: PNode, path: readonly Seg[], namer: Namer): string {
  const taken = new Set(namer.ctx.plan.phases.map((p) => p.id).filter((x): x is string => x !== undefined));
  const kind = map.get('kind')?.str();
  const index = typeof path[1] === 'number' ? path[1] : 0;
  const base = kind !== undefined && new RegExp(PATTERNS.phaseId).test(kind) ? kind : `phase-${index + 1}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/** Where a person would write a key: after the keys that precede it in the schema's order. */
function keyPlace(path: readonly Seg[], key: string): KeyPlace {
  return placeIn(Object.keys(schemaAt(path)?.properties ?? {}), key);
}

/** Inserts a required key where a person would write it: after the keys that precede it in the schema's order. */
function insertKey(ctx: RuleContext, map: PNode, path: readonly Seg[], key: string, value: YValue): RawEdit {
  const { after = [], before = [] } = keyPlace(path, key);
  return ctx.edits.insertEntry(map, key, value, { after: [...after], before: [...before] });
}

// ------------------------------------------------------------------- rule

interface Found {
  span: Span;
  message: string;
  fix?: RawFix;
  data: Record<string, unknown>;
}

export const rule = defineRule({
  meta: {
    id: 'schema',
    severity: 'error',
    description: 'The plan breaks the format: a value of the wrong type, an unknown key, a value outside its enum, or a missing required key.',
    rationale:
      'A plan is read by people under pressure and by tools: a misspelt key (`soka` for `soak`) or a value in the wrong form (`5 minutes`) silently drops a safeguard, because nothing reads it. ' +
      'The schema makes every field mean exactly one thing, so the method\'s other rules can trust what they check. ' +
      'Each violation is reported once, at the offending node; the other rules treat the value as absent.',
    fixable: true,
  },
  check(ctx) {
    const root = ctx.plan.root;
    const json = ctx.plan.json;
    if (!root || json === undefined) return;
    reportSqlWithoutDialect(ctx, root);
    const validate = getPlanValidator();
    if (validate(json)) return;
    const errors = (validate.errors ?? []).slice();
    const namer = new Namer(ctx, root);
    const found: Found[] = [];
    const report = (f: Found): void => {
      // The same value reached twice (through an alias) is one problem.
      const same = (x: Found): boolean =>
        x.span[0] === f.span[0] && x.span[1] === f.span[1] && (x.message === f.message || (x.data.keyword === f.data.keyword && x.data.key === f.data.key));
      if (!found.some(same)) found.push(f);
    };

    // Keys of another kind: reported at the key; nothing below them is reported again.
    const wrongKind = new Set(errors.filter((e) => e.keyword === 'false schema').map((e) => e.instancePath));
    const underWrongKind = (p: string): boolean => [...wrongKind].some((w) => p === w || p.startsWith(`${w}/`));

    const valueGroups = new Map<string, SchemaError[]>();
    for (const e of errors) {
      if (e.keyword === 'if') continue; // the wrapper of a `then` error reported on its own
      if (e.keyword === 'false schema') {
        reportWrongKind(ctx, namer, root, e, report);
        continue;
      }
      if (underWrongKind(e.instancePath)) continue;
      if (e.keyword === 'required') reportRequired(ctx, namer, root, e, report);
      else if (e.keyword === 'additionalProperties') reportUnknownKey(namer, root, e, report);
      else {
        const g = valueGroups.get(e.instancePath) ?? [];
        g.push(e);
        valueGroups.set(e.instancePath, g);
      }
    }
    for (const [pointer, group] of valueGroups) reportValue(ctx, namer, root, json, pointer, group, report);

    // A misspelt required key ('titel') is one problem: the unknown key, whose rename also supplies the missing one.
    const renamed = new Set(found.filter((f) => f.data.keyword === 'additionalProperties' && f.data.suggestion !== undefined).map((f) => `${String(f.data.path)}\u0000${String(f.data.suggestion)}`));
    const kept = found.filter((f) => !(f.data.keyword === 'required' && renamed.has(`${String(f.data.path)}\u0000${String(f.data.key)}`)));

    for (const f of kept) ctx.report({ span: f.span, message: f.message, ...(f.fix ? { fix: f.fix } : {}), data: f.data });
  },
});

type Reporter = (f: Found) => void;

/** Keys that hold only SQL (or what only a rehearsal reads): without a dialect nothing reads them. */
const SQL_ONLY_PHASE_KEYS = ['sql', 'rollback_sql', 'key'];
/** Fields that hold prose without a dialect and SQL with one: a `{file: …}` there needs the dialect. */
const SQL_OR_PROSE = [['context', 'current_schema'], ['context', 'target_schema']] as const;

/**
 * Without `context.dialect` a plan is prose: its SQL-only keys and `{file: …}`
 * values are reported, each once, as needing the dialect (the JSON Schema
 * allows them, so that a plan with the dialect validates).
 */
function reportSqlWithoutDialect(ctx: RuleContext, root: PNode): void {
  const context = root.get('context');
  if (context?.isMap && context.get('dialect') !== undefined) return; // a dialect of another value is the enum's
  const report = (node: PNode, what: string): void =>
    ctx.report({
      span: node.keySpan ?? node.reportSpan,
      message: `${what} holds SQL, which migplan reads only with \`context.dialect: postgresql\`.`,
      detail: 'Without a dialect a plan is prose and nothing reads its SQL. Add `dialect: postgresql` to `context` to have the SQL parsed, checked against the schema at each phase and rehearsed, or remove the key.',
      data: { keyword: 'dialect', path: node.path },
    });
  const rehearsal = root.get('rehearsal');
  if (rehearsal) report(rehearsal, '`rehearsal`');
  for (const [a, b] of SQL_OR_PROSE) {
    const v = root.get(a)?.get(b);
    if (v?.isMap) report(v, `\`${b}\``);
  }
  for (const phase of ctx.plan.phases) {
    for (const key of SQL_ONLY_PHASE_KEYS) {
      const v = phase.node.get(key);
      if (v) report(v, `\`${key}\` of phase ${phaseName(phase)}`);
    }
    const upsert = phase.node.get('upsert');
    if (upsert?.isMap) report(upsert, `\`upsert\` of phase ${phaseName(phase)}`);
    phase.node.get('checks')?.items().forEach((c) => {
      const q = c.isMap ? c.get('query') : undefined;
      if (q?.isMap) report(q, `A check's \`query\` in phase ${phaseName(phase)}`);
    });
  }
}

/** Where a diagnostic about a wrong value goes: the value (its key when empty or a block collection). */
function valueSpan(ctx: RuleContext, node: PNode): Span {
  const resolved = node.node;
  if (node.src && resolved && resolved !== node.src && resolved.range) {
    // Through an alias: the value is written (and fixed) at its anchor.
    const [s, e] = resolved.range;
    return node.isMap || node.isSeq ? [s, Math.min(e, ctx.plan.lines.lineEnd(ctx.plan.lines.lineOf(s)))] : [s, e];
  }
  if (node.keySpan && (node.isNull || ((node.isMap || node.isSeq) && !node.isFlow))) return node.keySpan;
  const s = node.reportSpan[0];
  let e = node.reportSpan[1];
  if (e <= s && node.dashOffset !== undefined) return [node.dashOffset, node.dashOffset + 1];
  if (node.isMap || node.isSeq) {
    // A block collection as a list item: its first line.
    const lines = ctx.plan.lines;
    e = Math.min(e, lines.lineEnd(lines.lineOf(s)));
  }
  return [s, e];
}

function reportWrongKind(ctx: RuleContext, namer: Namer, root: PNode, e: SchemaError, report: Reporter): void {
  const segs = pointerSegments(e.instancePath);
  const { node, path, complete } = walk(root, segs);
  const key = segs[segs.length - 1];
  const phaseIndex = typeof path[1] === 'number' ? path[1] : -1;
  const phase = namer.phase(phaseIndex);
  const owner = ownerKind(key);
  const span = complete ? (node.keySpan ?? valueSpan(ctx, node)) : node.missingSpan;
  const label = phase ? `phase ${phaseName(phase)}` : `phase #${phaseIndex + 1}`;
  const kind = phase?.kind ?? 'different';
  const hasOwner = owner !== undefined && ctx.plan.phases.some((p) => p.kind === owner);
  const message = owner
    ? `'${key}' is a ${owner} key; ${label} is a ${kind} phase, which does not read it. ` +
      (hasOwner ? `Move it to the ${owner} phase, or remove it.` : `Remove it, or make this phase a ${owner} phase if that is what it is.`)
    : `'${key}' does not belong in ${label}, a ${kind} phase. Remove it.`;
  report({ span, message, data: { keyword: 'wrong-kind', path: e.instancePath, key } });
}

function reportRequired(ctx: RuleContext, namer: Namer, root: PNode, e: SchemaError, report: Reporter): void {
  const missing = String((e.params as { missingProperty?: unknown }).missingProperty);
  const { node: map, path, complete } = walk(root, pointerSegments(e.instancePath));
  // A top-level key: where it belongs, on the key it would follow (where the fix inserts it).
  // A key of a map with a key of its own, or of a list item: that key, or the item's first key.
  const span = path.length === 0 && map.isMap ? missingRootKeySpan(map, keyPlace(path, missing)) : map.missingSpan;
  const req = REQUIRED[pathKey(path)]?.[missing];
  const subject = namer.subject(path);
  const message = `${subject} has no ${code(missing)}: ${req?.why ?? 'it is required'}.`;
  let fix: RawFix | undefined;
  const value = complete && map.isMap ? req?.value?.(map, path, namer) : undefined;
  if (value !== undefined) {
    const shownValue = Array.isArray(value) ? '[]' : String(value);
    fix = { title: `Insert '${missing}: ${shownValue}'`, edits: [insertKey(ctx, map, path, missing, value)], preferred: true };
  }
  report({ span, message, ...(fix ? { fix } : {}), data: { keyword: 'required', path: e.instancePath, key: missing } });
}

function reportUnknownKey(namer: Namer, root: PNode, e: SchemaError, report: Reporter): void {
  const key = String((e.params as { additionalProperty?: unknown }).additionalProperty);
  const { node: map, path, complete } = walk(root, pointerSegments(e.instancePath));
  const value = complete ? map.get(key) : undefined;
  const span = value?.keySpan ?? map.missingSpan;
  const isPhase = path.length === 2 && path[0] === 'phases';
  const phase = isPhase ? namer.phase(path[1] as number) : undefined;
  const allowed = isPhase ? phaseKeysFor(phase?.kind) : Object.keys(schemaAt(path)?.properties ?? {});
  const present = new Set(map.keys());
  const where = namer.where(path);
  let message: string;
  let fix: RawFix | undefined;
  let suggestion: string | undefined;
  if (key === '<<') {
    message = `'<<' is an unknown key ${where}: plans are read without YAML merge keys, so nothing is merged here. Write the keys out instead.`;
  } else {
    const s = suggest(key, allowed.filter((k) => !present.has(k)));
    if (s !== undefined) {
      suggestion = s;
      message = `Unknown key '${key}' ${where}; did you mean '${s}'?`;
      if (value?.keySpan) fix = { title: `Rename '${key}' to '${s}'`, edits: [{ span: value.keySpan, text: s }], preferred: true };
    } else {
      const kindNote = isPhase && phase?.kind ? ` (a ${phase.kind} phase)` : '';
      message = `Unknown key '${key}' ${where}${kindNote}: nothing reads it. Remove it, or use one of: ${list(allowed)}.`;
    }
  }
  report({ span, message, ...(fix ? { fix } : {}), data: { keyword: 'additionalProperties', path: e.instancePath, key, ...(suggestion !== undefined ? { suggestion } : {}) } });
}

/** One diagnostic for all the errors ajv gives about one value. */
function reportValue(ctx: RuleContext, namer: Namer, root: PNode, json: unknown, pointer: string, group: SchemaError[], reportFound: Reporter): void {
  const segs = pointerSegments(pointer);
  const { node, path, complete } = walk(root, segs);
  if (!complete || path.length === 0) {
    // Not found in the tree (a key that is not a plain scalar): say it at the nearest node we have.
    const span = path.length === 0 ? root.missingSpan : valueSpan(ctx, node);
    reportFound({ span, message: `${code(dotted(segs))} ${group[0].message ?? 'is invalid'}.`, data: { keyword: group[0].keyword, path: pointer } });
    return;
  }
  // A value reached through an alias is reported at its anchor, without a fix (the edit would replace the alias).
  const aliased = node.src !== node.node;
  const report: Reporter = (f) => reportFound(aliased ? { span: f.span, message: f.message, data: f.data } : f);
  const data = jsonAt(json, segs);
  // A placeholder where a typed value belongs (`rows: TODO`) is the placeholder rule's: one problem, one diagnostic.
  if (typeof data === 'string' && placeholderWhy(data, 'typed') !== undefined) return;
  const schema = schemaAt(path);
  const subject = namer.valueSubject(path);
  const span = valueSpan(ctx, node);
  const keywords = new Set(group.map((e) => e.keyword));
  const base = { path: pointer };
  const replace = (title: string, v: YValue): RawFix => ({ title, edits: [ctx.edits.replaceValue(node, v)], preferred: true });

  // migplan: 1
  if (keywords.has('const')) {
    const c = schema?.const;
    const message = data === null
      ? `${subject} is empty: write ${code(`migplan: ${String(c)}`)}, the format version.`
      : `${subject} must be ${String(c)} (the format version), not ${shown(data)}.`;
    report({ span, message, fix: replace(`Set ${String(path[path.length - 1])} to ${String(c)}`, c as YValue), data: { ...base, keyword: 'const' } });
    return;
  }

  if (keywords.has('enum')) {
    const allowed = (schema?.enum ?? []).map(String);
    const noun = ENUM_NOUNS[pathKey(path)] ?? `an allowed value of ${subject}`;
    let s = typeof data === 'string' ? suggest(data, allowed) : undefined;
    let hint = s ? ` Did you mean '${s}'?` : '';
    if (pathKey(path) === 'phases/*/kind' && node.parent) {
      // The phase's own keys tell its kind better than spelling does (`cutovr` with a batch_size).
      const keys = node.parent.keys().filter((k) => ownerKind(k) !== undefined);
      const kinds = new Set(keys.map(ownerKind));
      const byKeys = kinds.size === 1 ? [...kinds][0] : undefined;
      if (byKeys !== undefined && byKeys !== s) {
        s = byKeys;
        hint = ` Its ${keys.map(code).join(', ')} ${keys.length === 1 ? 'is a' : 'are'} ${byKeys} key${keys.length === 1 ? '' : 's'}: did you mean '${byKeys}'?`;
      } else if (kinds.size > 1) s = undefined;
    }
    const message = data === null
      ? `${subject} is empty: write ${noun.replace(/^an? /, 'the ')}. Use one of: ${list(allowed)}.`
      : s
        ? `${shown(data)} is not ${noun}; did you mean '${s}'? Use one of: ${list(allowed)}.${hint.replace(/^ Did you mean '[^']*'\?$/, '')}`
        : `${shown(data)} is not ${noun}. Use one of: ${list(allowed)}.${hint}`;
    report({ span, message, ...(s ? { fix: replace(`Change to '${s}'`, s) } : {}), data: { ...base, keyword: 'enum' } });
    return;
  }

  const form = formOf(schema);
  if (form && (keywords.has('pattern') || keywords.has('anyOf') || keywords.has('type'))) {
    const message = data === null
      ? `${subject} is empty: write ${form.noun}: ${form.how}.`
      : `${shown(data)} is not ${form.noun}: ${form.how}.`;
    let fix: RawFix | undefined;
    const better = form.normalize?.(data);
    if (better !== undefined && better !== data) fix = replace(`Write '${better}'`, better);
    else if (schema?.pattern === PATTERNS.phaseId && typeof data === 'string') fix = renameIdFix(namer, node, data);
    report({ span, message, ...(fix ? { fix } : {}), data: { ...base, keyword: keywords.has('type') ? 'type' : 'pattern' } });
    return;
  }

  if (keywords.has('type')) {
    const typeError = group.find((e) => e.keyword === 'type')!;
    const expected = (typeError.params as { type?: unknown }).type;
    const want = expectedText(schema, Array.isArray(expected) ? expected.map(String) : String(expected).split(','));
    let message: string;
    const last = path[path.length - 1];
    const parent = schemaAt(path.slice(0, -1));
    const remedy = typeof last === 'number' ? 'Fill it in, or remove the item.' : parent?.required?.includes(last) ? 'Fill it in.' : 'Fill it in, or remove the key.';
    if (data === null) message = `${subject} is empty: it must be ${want}. ${remedy}`;
    else message = `${subject} must be ${want}, not ${shown(data)}.`;
    if (typeof data === 'string' && schema?.type === 'boolean' && /^(yes|no|on|off|y|n)$/i.test(data)) {
      const b = /^(yes|on|y)$/i.test(data);
      message = `${subject} must be true or false, not ${shown(data)} (YAML 1.2 reads '${data}' as text). Write ${b}.`;
      report({ span, message, fix: replace(`Write ${b}`, b), data: { ...base, keyword: 'type' } });
      return;
    }
    if (typeof data === 'string' && (schema?.type === 'integer' || schema?.type === 'number')) {
      const digits = data.replace(/[,_\s]/g, '');
      if (/^\d+$/.test(digits)) {
        report({ span, message, fix: replace(`Write ${digits}`, Number(digits)), data: { ...base, keyword: 'type' } });
        return;
      }
    }
    report({ span, message, data: { ...base, keyword: 'type' } });
    return;
  }

  // Numeric bounds (a ramp step).
  const bound = group.find((e) => ['exclusiveMinimum', 'minimum', 'maximum', 'exclusiveMaximum'].includes(e.keyword));
  if (bound) {
    const { comparison, limit } = bound.params as { comparison?: string; limit?: number };
    const rule = comparison === '>' ? `above ${limit}` : comparison === '>=' ? `at least ${limit}` : comparison === '<' ? `below ${limit}` : `at most ${limit}`;
    const message = path[path.length - 2] === 'ramp'
      ? `${subject} is ${shown(data)}: ramp steps are percentages of traffic, above 0 and at most 100.`
      : `${subject} is ${shown(data)}; it must be ${rule}.`;
    report({ span, message, data: { ...base, keyword: bound.keyword } });
    return;
  }

  const first = group.find((e) => e.keyword !== 'anyOf') ?? group[0];
  report({ span, message: `${subject} ${first.message ?? 'is invalid'}.`, data: { ...base, keyword: first.keyword } });
}

/** "a list, one `- item` per line", "a whole number, such as 5000". */
function expectedText(schema: JsonSchema | undefined, types: string[]): string {
  const example = schema?.examples?.[0];
  const such = example !== undefined ? `, such as ${Array.isArray(example) ? `[${list(example)}]` : typeof example === 'string' ? `'${example}'` : String(example)}` : '';
  if (types.includes('string') && types.includes('array')) return `a name or a list of names${such}`;
  switch (types[0]) {
    case 'boolean':
      return 'true or false';
    case 'string':
      return `text${such}`;
    case 'integer':
      return `a whole number${such}`;
    case 'number':
      return `a number${such}`;
    case 'array': {
      const items = schema?.items;
      if (items?.type === 'object') {
        const firstKey = items.required?.[0] ?? Object.keys(items.properties ?? {})[0];
        return `a list of mappings, each starting with ${code(`- ${firstKey}:`)}`;
      }
      if (items?.type === 'string') return 'a list, one `- item` per line';
      return `a list${such}`;
    }
    case 'object': {
      const keys = schema?.required?.length ? schema.required : Object.keys(schema?.properties ?? {}).slice(0, 3);
      return keys.length ? `a mapping with keys such as ${keys.slice(0, 2).map(code).join(', ')}` : 'a mapping of keys';
    }
    default:
      return types.join(' or ');
  }
}

/** A phase id that breaks the pattern: rename it to its slug (and `point_of_no_return` with it). */
function renameIdFix(namer: Namer, node: PNode, id: string): RawFix | undefined {
  const slug = id
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!slug || !new RegExp(PATTERNS.phaseId).test(slug)) return undefined;
  if (namer.ctx.plan.phases.some((p) => p.id === slug)) return undefined;
  const { edits: kit } = namer.ctx;
  const edits = [kit.replaceValue(node, slug)];
  const pnr = namer.root.get('point_of_no_return');
  if (pnr?.str() === id) edits.push(kit.replaceValue(pnr, slug));
  return { title: `Rename the id to '${slug}'`, edits, preferred: false };
}
