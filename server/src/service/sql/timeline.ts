/**
 * The plan's schema over time, without a database: `current_schema`, then
 * each phase's `sql` statement by statement, in the order the phases are
 * written. What each SQL value reads is judged against the schema at its
 * point of the plan:
 *
 * - `rehearsal.seed`: the current schema;
 * - a phase's `sql`: the schema before that statement (earlier phases and
 *   the statements before it in the phase applied);
 * - the backfill's `upsert`, a check's `query`: the schema the phase's `sql`
 *   leaves;
 * - `rollback_sql`: that same schema, its own earlier statements applied;
 * - `rehearsal.writes`: the schema after the `sql` of each phase before the
 *   first cleanup phase (the rehearsal runs them there).
 *
 * `target_schema` is built on its own, from nothing.
 *
 * Without a `current_schema` that parses, nothing is known to exist, so no
 * name is judged; after a phase's `sql` that does not parse, nothing is. After DDL the catalog does not model (see catalog.ts), the
 * tables it touched, or all of them when it names none, are no longer judged.
 */
import type { PlanDocument } from '../parsing/plan';
import { Catalog, type ApplyNote } from './catalog';
import { parseSql, tooDeep, type SqlParse, type SqlStatement } from './parser';
import { unknownNames } from './references';
import { sqlValues, type SqlFiles, type SqlValue } from './sqlValues';

/** A name used where it does not exist, or created where it already does. */
export interface NameFinding {
  value: SqlValue;
  /** UTF-16 offsets in the value's SQL text. */
  start: number;
  end: number;
  message: string;
  /** A table or column used where it does not exist; or what PostgreSQL would refuse for a name (created twice, dropped where it is not). */
  kind: 'table' | 'column' | 'refused';
  name: string;
  /** For a column: its table, when known. */
  table?: string;
}

/** One place SQL is read at, with the schema it is read against. */
export interface SqlStep {
  value: SqlValue;
  parse: SqlParse;
  /** The statement's index in its value. */
  index: number;
  statement: SqlStatement;
  /** The schema the statement sees (not to be changed: it may be shared). */
  catalog: Catalog;
  /** Whether names it uses are judged (see the module's comment). */
  judged: boolean;
  /** Tables the catalog may be wrong about, after DDL it does not model (`*`: all). */
  unsure: ReadonlySet<string>;
}

export interface Timeline {
  /** The catalog of `current_schema`, when it parses. */
  current?: Catalog;
  /** The catalog of `target_schema`, when it parses. */
  target?: Catalog;
  /** The catalog after every phase's `sql`, when `current_schema` parses. */
  end?: Catalog;
  findings: NameFinding[];
  /** The statements of the backfills' upserts, each with the schema it runs against (its own copy). */
  upserts: SqlStep[];
}

const cache = new WeakMap<PlanDocument, Timeline>();

/** The kinds of SQL values whose names are judged against the catalog. */
const JUDGED = new Set<SqlValue['kind']>(['seed', 'writes', 'sql', 'upsert', 'query', 'rollback_sql']);

/** A catalog from one SQL value's statements (applied in order); undefined when it does not parse. */
function catalogFrom(value: SqlValue | undefined, start?: Catalog): { catalog: Catalog; notes: ApplyNote[] } | undefined {
  if (!value || value.text === undefined) return undefined;
  const parse = parseSql(value.text);
  if (!parse || parse.error) return undefined;
  const catalog = start ?? new Catalog();
  const notes: ApplyNote[] = [];
  for (const st of parse.statements) {
    if (tooDeep(st.stmt)) notes.push({ kind: 'not-modelled', message: 'nested too deeply to be read', source: value.id, location: st.byteStart });
    else notes.push(...catalog.apply(st.stmt, { source: value.id, location: st.byteStart }));
  }
  return { catalog, notes };
}

/**
 * Walks the plan's SQL in order and calls `visit` with each statement and
 * the schema it sees; `visit` returning true stops the walk.
 */
export interface WalkHooks {
  /** Each statement, with the schema it sees; true stops the walk. */
  step?: (step: SqlStep) => boolean | undefined;
  /** After a statement was applied to the schema, with what the catalog noted. */
  applied?: (step: SqlStep, notes: readonly ApplyNote[]) => void;
  /** Each SQL value as the walk reaches it (parsed or not), with the schema it starts from; true stops the walk. */
  enter?: (value: SqlValue, catalog: Catalog) => boolean | undefined;
  /**
   * Whether to go through a value's statements (`step`, `applied`) at this point of the walk (`key`
   * names the point: a value, or the writes after a phase; `prefix` counts the schema-changing values
   * before it). When not, a value that changes the schema is still applied; one read against a copy is
   * skipped whole.
   */
  judge?: (value: SqlValue, key: string, prefix: number) => boolean;
}

/** The values that change the schema the plan's SQL is read against, in walk order: `current_schema`, then each phase's `sql`. */
export function schemaChanges(plan: PlanDocument, values: readonly SqlValue[]): SqlValue[] {
  const out = values.filter((v) => v.kind === 'current_schema');
  for (const phase of plan.phases) for (const v of values) if (v.phaseIndex === phase.index && v.kind === 'sql') out.push(v);
  return out;
}

export function walkSql(plan: PlanDocument, files: SqlFiles | undefined, hooks: WalkHooks): { current?: Catalog; end?: Catalog; target?: Catalog } {
  const values = sqlValues(plan, files);
  const byKind = (kind: SqlValue['kind']): SqlValue | undefined => values.find((v) => v.kind === kind);
  const currentValue = byKind('current_schema');
  const built = catalogFrom(currentValue);
  const target = catalogFrom(byKind('target_schema'))?.catalog;
  const current = built?.catalog.clone();
  const catalog = built?.catalog ?? new Catalog();
  const known = built !== undefined;
  /** Tables the catalog may be wrong about: after DDL it does not model. `*`: all of them. */
  const unsure = new Set<string>();
  const markUnsure = (notes: readonly ApplyNote[]): void => {
    for (const n of notes) if (n.kind === 'not-modelled') unsure.add(n.name ?? '*');
  };
  if (built) markUnsure(built.notes);
  let stopped = false;

  /** Schema-changing values applied so far (current_schema counts as the first: see schemaChanges). */
  let prefix = currentValue ? 1 : 0;
  /**
   * Goes through a value's statements against the schema `copy` gives (undefined: the schema itself,
   * applying them); `apply`: applying them to that copy too.
   */
  const steps = (value: SqlValue, copy: (() => Catalog) | undefined, apply = copy === undefined, key = value.id): void => {
    if (stopped) return;
    const judging = hooks.judge?.(value, key, prefix) ?? true;
    // Read against a copy of the schema: nothing to do when not judged (the copy is not even made).
    if (copy && !judging && !hooks.enter) return;
    const seen = copy ? copy() : catalog;
    if (hooks.enter?.(value, seen) === true) {
      stopped = true;
      return;
    }
    if (seen === catalog && apply) prefix++;
    if (value.text === undefined) return;
    const parse = parseSql(value.text);
    if (!parse || parse.error) {
      // SQL that does not parse (sql-syntax reports it) changes the schema in ways nobody can tell:
      // past it, names are not judged, rather than each later use of what it made reported.
      if (apply && seen === catalog) unsure.add('*');
      return;
    }
    parse.statements.forEach((statement, index) => {
      if (stopped) return;
      // Nested past what the readers of an AST can follow: neither judged nor applied; what it does to the schema is unknown.
      if (tooDeep(statement.stmt)) {
        if (apply && seen === catalog) unsure.add('*');
        return;
      }
      const step: SqlStep = { value, parse, index, statement, catalog: seen, judged: known && JUDGED.has(value.kind) && !unsure.has('*'), unsure };
      if (judging && hooks.step?.(step) === true) {
        stopped = true;
        return;
      }
      if (!apply) return;
      const notes = seen.apply(statement.stmt, { source: value.id, location: statement.byteStart });
      if (judging) hooks.applied?.(step, notes);
      markUnsure(notes);
    });
  };

  const seed = values.find((v) => v.kind === 'seed');
  if (seed) steps(seed, () => catalog.clone(), true);
  // Values in phase order, each phase's `sql` first.
  const byPhase = new Map<number, SqlValue[]>();
  for (const v of values) if (v.phaseIndex !== undefined) byPhase.set(v.phaseIndex, [...(byPhase.get(v.phaseIndex) ?? []), v]);
  // The application's writes run after the `sql` of every phase before the first cleanup (as the rehearsal runs them).
  const writes = values.find((v) => v.kind === 'writes');
  const firstCleanup = plan.phases.find((p) => p.kind === 'cleanup')?.index ?? Infinity;
  for (const phase of plan.phases) {
    const mine = byPhase.get(phase.index) ?? [];
    for (const v of mine) if (v.kind === 'sql') steps(v, undefined);
    // Read, not applied: against the schema itself, which nothing changes meanwhile.
    const asIs = (): Catalog => catalog;
    if (writes && phase.index < firstCleanup) steps(writes, asIs, false, `${writes.id}#${phase.index}`);
    for (const v of mine) {
      if (v.kind === 'upsert' || v.kind === 'query') steps(v, asIs);
    }
    // A rollback of one statement that cannot clash with a name (DML, dropping columns) is read against
    // the schema itself: no statement after it needs its effect, and copying a wide schema is not free.
    for (const v of mine) {
      if (v.kind !== 'rollback_sql') continue;
      if (readOnlyOnce(v)) steps(v, asIs, false);
      else steps(v, () => catalog.clone(), true);
    }
    if (stopped) break;
  }
  return { ...(current ? { current } : {}), ...(known ? { end: catalog } : {}), ...(target ? { target } : {}) };
}

/** Whether a value is one statement whose effect nothing reads after it and that no apply note is about. */
function readOnlyOnce(value: SqlValue): boolean {
  if (value.text === undefined) return false;
  const parse = parseSql(value.text);
  if (!parse || parse.error || parse.statements.length !== 1) return false;
  const stmt = parse.statements[0].stmt as Record<string, { cmds?: unknown[] } | undefined>;
  if (stmt.UpdateStmt || stmt.DeleteStmt || stmt.InsertStmt || stmt.SelectStmt) return true;
  const cmds = stmt.AlterTableStmt?.cmds;
  return Array.isArray(cmds) && cmds.length > 0 && cmds.every((c) => (c as { AlterTableCmd?: { subtype?: string } }).AlterTableCmd?.subtype === 'AT_DropColumn');
}

function isSystem(name: string): boolean {
  return /^(pg_catalog|information_schema)\./.test(name) || name.startsWith('pg_');
}

/**
 * What the walk depends on: every SQL value (where it is, its text) and the
 * phases' order and kinds. An edit elsewhere in the plan leaves it equal, and
 * the previous walk's results are taken over, moved onto the new values.
 */
function signatureOf(plan: PlanDocument, values: readonly SqlValue[]): string {
  const parts: string[] = [plan.phases.map((p) => `${p.index}:${p.kind ?? ''}`).join(',')];
  for (const v of values) parts.push(`${v.id}\u0000${v.phaseIndex ?? ''}\u0000${v.text ?? '\u0001'}`);
  return parts.join('\u0002');
}

/** The last few walks, by signature (a few documents edited in turn each keep theirs). */
const walks = new Map<string, Timeline>();
const WALKS = 4;

/** A timeline whose findings and upserts refer to `values` (same ids, same texts) instead of an earlier plan's. */
function movedOnto(t: Timeline, values: readonly SqlValue[]): Timeline {
  const byId = new Map(values.map((v) => [v.id, v]));
  const move = <T extends { value: SqlValue }>(x: T): T => ({ ...x, value: byId.get(x.value.id) ?? x.value });
  return { ...t, findings: t.findings.map(move), upserts: t.upserts.map(move) };
}

/** What one point of the walk found (a value, or the writes after a phase), kept for the next walk. */
interface Unit {
  text: string | undefined;
  prefix: number;
  findings: NameFinding[];
  upserts: SqlStep[];
}

/**
 * The last walk's points, by key, and the schema changes it went through: a
 * point whose text and schema changes before it are the same again is taken
 * over, not read again (an edit in a check query re-reads that query only;
 * one in a phase's `sql`, what comes after it).
 */
let lastWalk: { changes: string[]; units: Map<string, Unit> } | undefined;

/** The plan's timeline: its catalogs and the names it uses that do not exist where they are used. */
export function timelineOf(plan: PlanDocument, files?: SqlFiles): Timeline {
  const hit = cache.get(plan);
  if (hit) return hit;
  const values = sqlValues(plan, files);
  const signature = signatureOf(plan, values);
  const earlier = walks.get(signature);
  if (earlier) {
    walks.delete(signature);
    walks.set(signature, earlier);
    const moved = movedOnto(earlier, values);
    cache.set(plan, moved);
    return moved;
  }
  const changes = schemaChanges(plan, values).map((v) => `${v.id}\u0000${v.text ?? '\u0001'}`);
  const previous = lastWalk;
  let same = 0;
  if (previous) while (same < changes.length && same < previous.changes.length && changes[same] === previous.changes[same]) same++;
  const units = new Map<string, Unit>();
  const byId = new Map(values.map((v) => [v.id, v]));
  const move = <T extends { value: SqlValue }>(x: T): T => ({ ...x, value: byId.get(x.value.id) ?? x.value });
  let unit: Unit | undefined;
  /** Statements with a finding (by value and byte offset): an apply note there says the same again. */
  const reported = new Set<string>();
  const catalogs = walkSql(plan, files, {
    judge: (value, key, prefix) => {
      const old = previous?.units.get(key);
      if (old && old.text === value.text && old.prefix === prefix && prefix <= same) {
        units.set(key, { ...old, findings: old.findings.map(move), upserts: old.upserts.map(move) });
        return false;
      }
      unit = { text: value.text, prefix, findings: [], upserts: [] };
      units.set(key, unit);
      return true;
    },
    step: (step) => {
      const { value, parse, statement, catalog } = step;
      if (value.kind === 'upsert') unit!.upserts.push({ ...step, catalog: catalog.clone() });
      if (!step.judged || value.text === undefined) return undefined;
      const options = { sql: value.text, stmtLocation: statement.byteStart, ...(statement.byteLength !== undefined ? { stmtLength: statement.byteLength } : {}) };
      for (const u of unknownNames(statement.stmt, catalog, options)) {
        if (isSystem(u.name) || step.unsure.has(u.table ?? u.name)) continue;
        const start = parse.offsetOfByte(u.location);
        const end = u.length !== undefined ? parse.offsetOfByte(u.location + u.length) : start + u.name.length;
        reported.add(`${value.id}@${statement.byteStart}`);
        unit!.findings.push({ value, start, end: Math.max(end, start + 1), message: sentence(u.reason), kind: u.kind, name: u.name, ...(u.table !== undefined ? { table: u.table } : {}) });
      }
      return undefined;
    },
    applied: (step, notes) => {
      // What PostgreSQL would refuse that the names do not show: a name created twice, an index or constraint dropped that is not there.
      const { value, parse, statement } = step;
      if (!step.judged || value.text === undefined || reported.has(`${value.id}@${statement.byteStart}`)) return;
      for (const n of notes) {
        if (n.kind !== 'already-exists' && n.kind !== 'unknown-index' && n.kind !== 'unknown-constraint') continue;
        if (n.name !== undefined && (isSystem(n.name) || step.unsure.has(n.name))) continue;
        // The parser locates the statement's table, not an index's or constraint's name: find the name after it.
        let start = parse.offsetOfByte(n.location);
        let end = start + 1;
        const name = n.name?.replace(/^.*\./, '');
        if (name) {
          const stmtEnd = Math.min(value.text.length, statement.end);
          const at = wordAt(value.text.slice(start, stmtEnd), name);
          if (at >= 0) {
            start += at;
            end = start + name.length;
          }
        }
        unit!.findings.push({ value, start, end: Math.max(end, start + 1), message: sentence(n.message), kind: 'refused', name: n.name ?? '' });
      }
    },
  });
  lastWalk = { changes, units };
  // The writes are read once per phase: a name they use is reported once, where it is first missing.
  const findings: NameFinding[] = [];
  const seen = new Set<string>();
  for (const u of units.values()) {
    for (const f of u.findings) {
      const key = `${f.value.id}@${f.start}:${f.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(f);
    }
  }
  const upserts = [...units.values()].flatMap((u) => u.upserts);
  const timeline: Timeline = { ...catalogs, findings, upserts };
  cache.set(plan, timeline);
  walks.set(signature, timeline);
  if (walks.size > WALKS) walks.delete(walks.keys().next().value as string);
  return timeline;
}

/** The index of `word` as a whole identifier in `text` (case-insensitive, or quoted), or -1. */
function wordAt(text: string, word: string): number {
  const lower = text.toLowerCase();
  const w = word.toLowerCase();
  for (let i = lower.indexOf(w); i >= 0; i = lower.indexOf(w, i + 1)) {
    const before = lower[i - 1];
    const after = lower[i + w.length];
    if ((before === undefined || !/[\w$]/.test(before)) && (after === undefined || !/[\w$]/.test(after))) return i;
  }
  return -1;
}

function sentence(s: string): string {
  const t = s.trim();
  return (t[0]?.toUpperCase() ?? '') + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}
