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
import type { PlanDocument } from '../plan';
import { Catalog, type ApplyNote } from './catalog';
import { parseSql, type SqlParse, type SqlStatement } from './parser';
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
  for (const st of parse.statements) notes.push(...catalog.apply(st.stmt, { source: value.id, location: st.byteStart }));
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

  const steps = (value: SqlValue, seen: Catalog, apply: boolean): void => {
    if (stopped) return;
    if (hooks.enter?.(value, seen) === true) {
      stopped = true;
      return;
    }
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
      const step: SqlStep = { value, parse, index, statement, catalog: seen, judged: known && JUDGED.has(value.kind) && !unsure.has('*'), unsure };
      if (hooks.step?.(step) === true) {
        stopped = true;
        return;
      }
      if (!apply) return;
      const notes = seen.apply(statement.stmt, { source: value.id, location: statement.byteStart });
      hooks.applied?.(step, notes);
      markUnsure(notes);
    });
  };

  const seed = values.find((v) => v.kind === 'seed');
  if (seed) steps(seed, catalog.clone(), true);
  // Values in phase order, each phase's `sql` first.
  const byPhase = new Map<number, SqlValue[]>();
  for (const v of values) if (v.phaseIndex !== undefined) byPhase.set(v.phaseIndex, [...(byPhase.get(v.phaseIndex) ?? []), v]);
  // The application's writes run after the `sql` of every phase before the first cleanup (as the rehearsal runs them).
  const writes = values.find((v) => v.kind === 'writes');
  const firstCleanup = plan.phases.find((p) => p.kind === 'cleanup')?.index ?? Infinity;
  for (const phase of plan.phases) {
    const mine = byPhase.get(phase.index) ?? [];
    for (const v of mine) if (v.kind === 'sql') steps(v, catalog, true);
    if (writes && phase.index < firstCleanup) steps(writes, catalog, false);
    for (const v of mine) {
      if (v.kind === 'upsert' || v.kind === 'query') steps(v, catalog, false);
    }
    for (const v of mine) if (v.kind === 'rollback_sql') steps(v, catalog.clone(), true);
    if (stopped) break;
  }
  return { ...(current ? { current } : {}), ...(known ? { end: catalog } : {}), ...(target ? { target } : {}) };
}

function isSystem(name: string): boolean {
  return /^(pg_catalog|information_schema)\./.test(name) || name.startsWith('pg_');
}

/** The plan's timeline: its catalogs and the names it uses that do not exist where they are used. */
export function timelineOf(plan: PlanDocument, files?: SqlFiles): Timeline {
  const hit = cache.get(plan);
  if (hit) return hit;
  const findings: NameFinding[] = [];
  const upserts: SqlStep[] = [];
  /** Statements with a finding (by value and byte offset): an apply note there says the same again. */
  const reported = new Set<string>();
  const seenFindings = new Set<string>();
  const catalogs = walkSql(plan, files, {
    step: (step) => {
      const { value, parse, statement, catalog } = step;
      if (value.kind === 'upsert') upserts.push({ ...step, catalog: catalog.clone() });
      if (!step.judged || value.text === undefined) return undefined;
      const options = { sql: value.text, stmtLocation: statement.byteStart, ...(statement.byteLength !== undefined ? { stmtLength: statement.byteLength } : {}) };
      for (const u of unknownNames(statement.stmt, catalog, options)) {
        if (isSystem(u.name) || step.unsure.has(u.table ?? u.name)) continue;
        const start = parse.offsetOfByte(u.location);
        const end = u.length !== undefined ? parse.offsetOfByte(u.location + u.length) : start + u.name.length;
        reported.add(`${value.id}@${statement.byteStart}`);
        // The writes are read once per phase: a name they use is reported once, where it is first missing.
        const key = `${value.id}@${u.location}:${u.name}`;
        if (seenFindings.has(key)) continue;
        seenFindings.add(key);
        findings.push({ value, start, end: Math.max(end, start + 1), message: sentence(u.reason), kind: u.kind, name: u.name, ...(u.table !== undefined ? { table: u.table } : {}) });
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
        findings.push({ value, start, end: Math.max(end, start + 1), message: sentence(n.message), kind: 'refused', name: n.name ?? '' });
      }
    },
  });
  const timeline: Timeline = { ...catalogs, findings, upserts };
  cache.set(plan, timeline);
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
