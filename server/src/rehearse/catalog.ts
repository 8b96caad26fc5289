/**
 * The catalog a rehearsal ends with, read from the database itself (pg_catalog),
 * and its differences from the target schema's catalog: the check that the
 * plan's SQL, run on the current schema, gives the schema the plan promises.
 *
 * `snapshotCatalog` reads the tables of one schema through an {@link Engine}
 * with queries on pg_catalog only (PostgreSQL 15–17 and PGlite). Texts come
 * from the server's own deparsers (format_type, pg_get_expr, pg_get_indexdef,
 * pg_get_constraintdef, pg_get_triggerdef), with the schema's name removed
 * where they qualify a name with it, so that the same DDL run in two schemas
 * (the rehearsal's and the target's) gives equal texts.
 */
import type { Engine } from './engine';

export interface DbColumn {
  name: string;
  /** As format_type gives it: `integer`, `character varying(20)`, `numeric(10,2)`, `text[]`. */
  type: string;
  notNull: boolean;
  /** The default expression as pg_get_expr gives it (`nextval('users_id_seq'::regclass)`, `'new'::text`), if any. */
  default?: string;
  /** `always` or `by default` for an identity column. */
  identity?: 'always' | 'by default';
  /** The expression of a generated (stored) column. */
  generated?: string;
}

export interface DbIndex {
  name: string;
  /** pg_get_indexdef without the schema: `CREATE UNIQUE INDEX users_email_key ON users USING btree (email)`. */
  definition: string;
  unique: boolean;
  primary: boolean;
  /** False for an index a failed `CREATE INDEX CONCURRENTLY` left behind. */
  valid: boolean;
  /** The constraint (primary key, unique, exclusion) this index implements, if any. */
  constraint?: string;
}

export type ConstraintType = 'p' | 'u' | 'f' | 'c' | 'x';

export interface DbConstraint {
  name: string;
  /** p primary key, u unique, f foreign key, c check, x exclusion. */
  type: ConstraintType;
  /** pg_get_constraintdef without the schema: `FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE`, `CHECK ((amount > 0)) NOT VALID`. */
  definition: string;
  validated: boolean;
}

export interface DbTrigger {
  name: string;
  /** pg_get_triggerdef without the schema: `CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()`. */
  definition: string;
}

export interface DbTable {
  name: string;
  /** In the order of the table (attnum); the comparison ignores it. */
  columns: DbColumn[];
  /** Sorted by name, as are constraints and triggers. */
  indexes: DbIndex[];
  constraints: DbConstraint[];
  triggers: DbTrigger[];
}

export interface DbCatalog {
  schema: string;
  /** Ordinary and partitioned tables, sorted by name. */
  tables: DbTable[];
  /** Names of the schema's sequences, sorted (not compared by {@link diffCatalogs}). */
  sequences: string[];
}

import type { CatalogDifference } from '../service/types';
export type { CatalogDifference };

// ---------------------------------------------------------------------------
// Reading

/** Binary comparison (not the locale's): the same order everywhere. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A function removing the qualification by `schema` from a deparsed text:
 * `"My Schema".t` and `s.t` become `t`, also inside literals
 * (`nextval('s.users_id_seq'::regclass)`). The deparsers qualify a name with
 * its schema when the schema is not on `search_path` (and pg_get_indexdef and
 * pg_get_triggerdef always qualify the table), so this is what makes the
 * rehearsal's schema and the target's compare equal. A literal that holds the
 * schema's name followed by a dot would lose it too: the rehearsal's schemas
 * have names no one types (`migplan_rehearsal_<hex>`).
 */
function schemaStripper(schema: string): (text: string) => string {
  const forms = [`"${schema.replace(/"/g, '""')}"`];
  if (/^[a-z_][a-z0-9_$]*$/.test(schema)) forms.push(schema);
  // Not after a letter, digit, `_`, `$`, `"` or `.`: the whole qualifier, not the tail of another name.
  const re = new RegExp(`(?<![\\w$".])(?:${forms.map(escapeRegExp).join('|')})\\.`, 'g');
  return (text) => text.replace(re, '');
}

interface ColumnRow {
  table_name: string;
  name: string;
  type: string;
  not_null: boolean;
  default_expr: string | null;
  identity: string;
  generated: string;
}

interface IndexRow {
  table_name: string;
  name: string;
  definition: string;
  is_unique: boolean;
  is_primary: boolean;
  is_valid: boolean;
  constraint_name: string | null;
}

interface ConstraintRow {
  table_name: string;
  name: string;
  type: string;
  definition: string;
  validated: boolean;
}

interface TriggerRow {
  table_name: string;
  name: string;
  definition: string;
}

// `"char"` columns are cast to text: drivers differ on how they give that type.
const TABLES_SQL = `
SELECT c.relname AS name
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`;

const COLUMNS_SQL = `
SELECT c.relname AS table_name, a.attname AS name,
  pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
  a.attnotnull AS not_null,
  pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default_expr,
  a.attidentity::text AS identity,
  a.attgenerated::text AS generated
FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

const INDEXES_SQL = `
SELECT t.relname AS table_name, i.relname AS name,
  pg_catalog.pg_get_indexdef(x.indexrelid) AS definition,
  x.indisunique AS is_unique, x.indisprimary AS is_primary, x.indisvalid AS is_valid,
  (SELECT con.conname FROM pg_catalog.pg_constraint con
    WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x')
    LIMIT 1) AS constraint_name
FROM pg_catalog.pg_index x
  JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
  JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = $1 AND t.relkind IN ('r', 'p')`;

// A foreign key to a partitioned table has one more row per referenced partition, on the same
// table and under the same name, whose parent is the constraint on that same table: left out.
const CONSTRAINTS_SQL = `
SELECT t.relname AS table_name, con.conname AS name, con.contype::text AS type,
  pg_catalog.pg_get_constraintdef(con.oid) AS definition, con.convalidated AS validated
FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class t ON t.oid = con.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = $1 AND t.relkind IN ('r', 'p') AND con.contype IN ('p', 'u', 'f', 'c', 'x')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint p WHERE p.oid = con.conparentid AND p.conrelid = con.conrelid)`;

// Internal triggers (those of foreign keys) are the constraints' business.
const TRIGGERS_SQL = `
SELECT t.relname AS table_name, tg.tgname AS name, pg_catalog.pg_get_triggerdef(tg.oid) AS definition
FROM pg_catalog.pg_trigger tg
  JOIN pg_catalog.pg_class t ON t.oid = tg.tgrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = $1 AND t.relkind IN ('r', 'p') AND NOT tg.tgisinternal`;

const SEQUENCES_SQL = `
SELECT c.relname AS name
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind = 'S'`;

const CONSTRAINT_TYPES: readonly string[] = ['p', 'u', 'f', 'c', 'x'];

/**
 * The tables of `schema` (ordinary and partitioned) with their columns,
 * indexes, constraints and triggers, and the schema's sequences by name. Runs
 * read-only queries through `engine` (each on its own, outside a transaction
 * unless the caller opened one).
 */
export async function snapshotCatalog(engine: Engine, schema: string): Promise<DbCatalog> {
  const rows = async <T>(sql: string): Promise<T[]> => (await engine.query(sql, [schema])).rows as T[];
  const strip = schemaStripper(schema);
  const tables = new Map<string, DbTable>();
  for (const { name } of await rows<{ name: string }>(TABLES_SQL)) {
    tables.set(name, { name, columns: [], indexes: [], constraints: [], triggers: [] });
  }
  for (const r of await rows<ColumnRow>(COLUMNS_SQL)) {
    const t = tables.get(r.table_name);
    if (!t) continue;
    const col: DbColumn = { name: r.name, type: strip(r.type), notNull: r.not_null };
    const expr = r.default_expr === null ? undefined : strip(r.default_expr);
    if (r.generated === 's' && expr !== undefined) col.generated = expr;
    else if (expr !== undefined) col.default = expr;
    if (r.identity === 'a') col.identity = 'always';
    else if (r.identity === 'd') col.identity = 'by default';
    t.columns.push(col);
  }
  for (const r of await rows<IndexRow>(INDEXES_SQL)) {
    const t = tables.get(r.table_name);
    if (!t) continue;
    const index: DbIndex = { name: r.name, definition: strip(r.definition), unique: r.is_unique, primary: r.is_primary, valid: r.is_valid };
    if (r.constraint_name !== null) index.constraint = r.constraint_name;
    t.indexes.push(index);
  }
  for (const r of await rows<ConstraintRow>(CONSTRAINTS_SQL)) {
    const t = tables.get(r.table_name);
    if (!t || !CONSTRAINT_TYPES.includes(r.type)) continue;
    t.constraints.push({ name: r.name, type: r.type as ConstraintType, definition: strip(r.definition), validated: r.validated });
  }
  for (const r of await rows<TriggerRow>(TRIGGERS_SQL)) {
    tables.get(r.table_name)?.triggers.push({ name: r.name, definition: strip(r.definition) });
  }
  const sequences = (await rows<{ name: string }>(SEQUENCES_SQL)).map((r) => r.name).sort(cmp);
  const byName = (a: { name: string }, b: { name: string }): number => cmp(a.name, b.name);
  for (const t of tables.values()) {
    t.indexes.sort(byName);
    t.constraints.sort(byName);
    t.triggers.sort(byName);
  }
  return { schema, tables: [...tables.values()].sort(byName), sequences };
}

/** An index's definition without its name (quoted or not): `CREATE UNIQUE INDEX ON users USING btree (email)`. */
function indexShape(i: DbIndex): string {
  return i.definition.replace(/^(CREATE (?:UNIQUE )?INDEX )(?:"(?:[^"]|"")*"|[^\s"]+) ON /, '$1ON ');
}

// ---------------------------------------------------------------------------
// Comparing

const NOT_VALID = / NOT VALID$/;

/** A constraint's definition without `NOT VALID` (validation is compared on its own). */
function constraintShape(c: DbConstraint): string {
  return c.definition.replace(NOT_VALID, '');
}

const encoder = new TextEncoder();
function utf8Length(s: string): number {
  return encoder.encode(s).length;
}

/** The suffix PostgreSQL gives the names it makes (ChooseConstraintName, ChooseIndexName). */
const GENERATED_SUFFIX: Record<ConstraintType | 'index', string> = { p: 'pkey', u: 'key', f: 'fkey', c: 'check', x: 'excl', index: 'idx' };

/**
 * Whether `name` looks like one PostgreSQL made for an object of `table` left
 * unnamed: `<table>_pkey`, `<table>_<columns>_key`, `<table>_<columns>_fkey`,
 * `<table>_<column>_check`, `<table>_<columns>_excl`, `<table>_<columns>_idx`,
 * with a number after the suffix when the name was taken, and the table's
 * name shortened when the whole exceeds 63 bytes.
 */
function looksGenerated(name: string, table: string, kind: ConstraintType | 'index'): boolean {
  const suffix = GENERATED_SUFFIX[kind];
  const m = new RegExp(`^(.+)_${suffix}\\d*$`).exec(name);
  if (!m) return false;
  const head = m[1];
  if (kind === 'p') return head === table || (utf8Length(name) >= 60 && table.startsWith(head));
  if (head.startsWith(`${table}_`) || (kind === 'c' && head === table)) return true;
  // Shortened to fit NAMEDATALEN: the table's name is cut, then `_`, then the (cut) column names.
  const cut = head.slice(0, head.indexOf('_') >= 0 ? head.indexOf('_') : head.length);
  return utf8Length(name) >= 60 && cut.length > 0 && table.startsWith(cut);
}

const CONSTRAINT_WORDS: Record<ConstraintType, string> = {
  p: 'primary key',
  u: 'unique constraint',
  f: 'foreign key',
  c: 'check constraint',
  x: 'exclusion constraint',
};

function columnText(c: DbColumn): string {
  let s = c.type;
  if (c.notNull) s += ' NOT NULL';
  if (c.default !== undefined) s += ` DEFAULT ${c.default}`;
  if (c.identity) s += ` GENERATED ${c.identity.toUpperCase()} AS IDENTITY`;
  if (c.generated !== undefined) s += ` GENERATED ALWAYS AS (${c.generated}) STORED`;
  return s;
}

function compareColumns(table: string, actual: DbTable, expected: DbTable, out: CatalogDifference[]): void {
  const actualCols = new Map(actual.columns.map((c) => [c.name, c]));
  const expectedCols = new Map(expected.columns.map((c) => [c.name, c]));
  for (const e of expected.columns) {
    const a = actualCols.get(e.name);
    const what = `${table}.${e.name}`;
    const d = (problem: CatalogDifference['problem'], message: string, exp?: string, act?: string): void => {
      const diff: CatalogDifference = { kind: 'column', table, name: e.name, problem, message };
      if (exp !== undefined) diff.expected = exp;
      if (act !== undefined) diff.actual = act;
      out.push(diff);
    };
    if (!a) {
      d('missing', `${what} is in the target schema (${columnText(e)}) but not here`, columnText(e));
      continue;
    }
    if (a.type !== e.type) d('different', `${what} is ${a.type} here; the target says ${e.type}`, e.type, a.type);
    if (a.notNull !== e.notNull) {
      const word = (notNull: boolean): string => (notNull ? 'NOT NULL' : 'nullable');
      d('different', `${what} is ${word(a.notNull)} here; the target says ${word(e.notNull)}`, word(e.notNull), word(a.notNull));
    }
    if (a.default !== e.default) {
      const here = a.default === undefined ? 'has no default here' : `has default ${a.default} here`;
      const there = e.default === undefined ? 'the target has none' : `the target says ${e.default}`;
      d('different', `${what} ${here}; ${there}`, e.default, a.default);
    }
    if (a.identity !== e.identity) {
      const word = (i: DbColumn['identity']): string => (i ? `GENERATED ${i.toUpperCase()} AS IDENTITY` : 'not an identity column');
      d('different', `${what} is ${word(a.identity)} here; the target says ${word(e.identity)}`, e.identity && word(e.identity), a.identity && word(a.identity));
    }
    if (a.generated !== e.generated) {
      const word = (g: string | undefined): string => (g === undefined ? 'not generated' : `generated as ${g}`);
      d('different', `${what} is ${word(a.generated)} here; the target says ${word(e.generated)}`, e.generated, a.generated);
    }
  }
  for (const a of actual.columns) {
    if (!expectedCols.has(a.name)) {
      out.push({ kind: 'column', table, name: a.name, problem: 'extra', actual: columnText(a), message: `${table}.${a.name} exists here but not in the target schema` });
    }
  }
}

interface Pairing<T> {
  /** The same object under the same name. */
  byName: [expected: T, actual: T][];
  /** The same shape under another name. */
  byShape: [expected: T, actual: T][];
  missing: T[];
  extra: T[];
}

/** Pairs by name, then what is left by shape (each side in name order); the rest is missing or extra. */
function pairUp<T extends { name: string }>(actual: readonly T[], expected: readonly T[], shape: (x: T) => string): Pairing<T> {
  const result: Pairing<T> = { byName: [], byShape: [], missing: [], extra: [] };
  const byName = (a: T, b: T): number => cmp(a.name, b.name);
  const left = new Set([...actual].sort(byName));
  const actualByName = new Map(actual.map((a) => [a.name, a]));
  const unmatched: T[] = [];
  for (const e of [...expected].sort(byName)) {
    const a = actualByName.get(e.name);
    if (a && left.has(a)) {
      left.delete(a);
      result.byName.push([e, a]);
    } else unmatched.push(e);
  }
  for (const e of unmatched) {
    const s = shape(e);
    const a = [...left].find((x) => shape(x) === s);
    if (a) {
      left.delete(a);
      result.byShape.push([e, a]);
    } else result.missing.push(e);
  }
  result.extra = [...left];
  return result;
}

/*
 * Names of indexes and constraints. PostgreSQL names what the DDL leaves
 * unnamed (users_pkey, users_email_key, orders_user_id_fkey, orders_user_id_idx),
 * and the name then depends on how the DDL was written (a column renamed
 * later keeps the old name in its constraints; a collision adds a digit), so
 * two schemas built by different routes rarely agree on them. The rule:
 *
 * - Same table and same name: the same object; a different definition (or
 *   validation, or validity) is a difference.
 * - Otherwise, same table and same definition (without the name): the same
 *   object, unless the target's name is one a person chose — one that does not
 *   look like PostgreSQL's (see looksGenerated). Then the name is part of what
 *   the target asks for, and the database's other name is a difference (a
 *   named index is looked up by name: `DROP INDEX`, `ALTER INDEX`, hints).
 * - What is left is missing (only the target has it) or extra (only here).
 *
 * A name typed by hand that happens to look generated is treated as generated:
 * the catalog cannot tell them apart.
 *
 * Indexes that implement a constraint (primary key, unique, exclusion) are
 * compared as that constraint, not again as indexes.
 */
/**
 * The differences of named objects of one kind (constraints, indexes) paired by pairUp: a different
 * definition under one name; a person's name (not looksGenerated) given another; what only one side
 * has; and, where the definitions agree, `state` (validation, validity).
 */
function reportPaired<T extends { name: string; definition: string }>(
  kind: 'constraint' | 'index',
  table: string,
  lists: { actual: readonly T[]; expected: readonly T[] },
  how: { shape: (x: T) => string; generated: (x: T) => boolean; what: (x: T) => string; state: (e: T, a: T) => CatalogDifference | undefined },
  out: CatalogDifference[],
): void {
  const p = pairUp(lists.actual, lists.expected, how.shape);
  const state = (e: T, a: T): void => {
    const d = how.state(e, a);
    if (d) out.push(d);
  };
  for (const [e, a] of p.byName) {
    if (how.shape(e) !== how.shape(a)) {
      out.push({
        kind, table, name: e.name, problem: 'different', expected: e.definition, actual: a.definition,
        message: `${how.what(e)} is ${a.definition} here; the target says ${e.definition}`,
      });
    } else state(e, a);
  }
  for (const [e, a] of p.byShape) {
    if (!how.generated(e)) out.push({ kind, table, name: e.name, problem: 'different', expected: e.name, actual: a.name, message: `${how.what(e)} is named ${a.name} here` });
    state(e, a);
  }
  for (const e of p.missing) {
    out.push({ kind, table, name: e.name, problem: 'missing', expected: e.definition, message: `${how.what(e)} is in the target schema but not here: ${e.definition}` });
  }
  for (const a of p.extra) {
    out.push({ kind, table, name: a.name, problem: 'extra', actual: a.definition, message: `${how.what(a)} exists here but not in the target schema: ${a.definition}` });
  }
}

function compareConstraints(table: string, actual: DbTable, expected: DbTable, out: CatalogDifference[]): void {
  const what = (c: DbConstraint): string => `${CONSTRAINT_WORDS[c.type]} ${c.name} on ${table}`;
  const word = (v: boolean): string => (v ? 'validated' : 'NOT VALID');
  reportPaired('constraint', table, { actual: actual.constraints, expected: expected.constraints }, {
    shape: (c) => `${c.type} ${constraintShape(c)}`,
    generated: (c) => looksGenerated(c.name, table, c.type),
    what,
    state: (e, a) =>
      e.validated === a.validated
        ? undefined
        : {
            kind: 'constraint', table, name: e.name, problem: 'different', expected: e.definition, actual: a.definition,
            message: `${what(e)} is ${word(a.validated)} here; the target has it ${word(e.validated)}`,
          },
  }, out);
}

function compareIndexes(table: string, actual: DbTable, expected: DbTable, out: CatalogDifference[]): void {
  const plain = (t: DbTable): DbIndex[] => t.indexes.filter((i) => i.constraint === undefined);
  const what = (i: DbIndex): string => `index ${i.name} on ${table}`;
  reportPaired('index', table, { actual: plain(actual), expected: plain(expected) }, {
    shape: indexShape,
    generated: (i) => looksGenerated(i.name, table, 'index'),
    what,
    state: (e, a) =>
      a.valid || !e.valid
        ? undefined
        : {
            kind: 'index', table, name: e.name, problem: 'different', expected: 'valid', actual: 'INVALID',
            message: `${what(a)} is INVALID here (a CREATE INDEX CONCURRENTLY that failed leaves one); the target has it valid`,
          },
  }, out);
}

/** Triggers have no generated names: by name only. */
function compareTriggers(table: string, actual: DbTable, expected: DbTable, out: CatalogDifference[]): void {
  const actualByName = new Map(actual.triggers.map((t) => [t.name, t]));
  const expectedNames = new Set(expected.triggers.map((t) => t.name));
  for (const e of expected.triggers) {
    const a = actualByName.get(e.name);
    const what = `trigger ${e.name} on ${table}`;
    if (!a) out.push({ kind: 'trigger', table, name: e.name, problem: 'missing', expected: e.definition, message: `${what} is in the target schema but not here: ${e.definition}` });
    else if (a.definition !== e.definition) {
      out.push({
        kind: 'trigger', table, name: e.name, problem: 'different', expected: e.definition, actual: a.definition,
        message: `${what} is ${a.definition} here; the target says ${e.definition}`,
      });
    }
  }
  for (const a of actual.triggers) {
    if (!expectedNames.has(a.name)) {
      out.push({ kind: 'trigger', table, name: a.name, problem: 'extra', actual: a.definition, message: `trigger ${a.name} on ${table} exists here but not in the target schema: ${a.definition}` });
    }
  }
}

const KIND_ORDER: Record<CatalogDifference['kind'], number> = { table: 0, column: 1, constraint: 2, index: 3, trigger: 4 };
const PROBLEM_ORDER: Record<CatalogDifference['problem'], number> = { missing: 0, extra: 1, different: 2 };

/**
 * What `actual` (the database after the rehearsal) lacks or has in excess
 * compared with `expected` (the target schema): tables; for the tables both
 * have, columns by name (type, nullability, default, identity, generation;
 * not their order), constraints and indexes (see the rule on names above)
 * and triggers by name. A missing or extra table is one difference, its
 * contents are not listed. Sorted by table, then kind (table, column,
 * constraint, index, trigger), name, problem and message.
 */
export function diffCatalogs(actual: DbCatalog, expected: DbCatalog): CatalogDifference[] {
  const out: CatalogDifference[] = [];
  const actualTables = new Map(actual.tables.map((t) => [t.name, t]));
  const expectedTables = new Map(expected.tables.map((t) => [t.name, t]));
  for (const e of expected.tables) {
    const a = actualTables.get(e.name);
    if (!a) {
      out.push({ kind: 'table', table: e.name, problem: 'missing', message: `table ${e.name} is in the target schema but not here` });
      continue;
    }
    compareColumns(e.name, a, e, out);
    compareConstraints(e.name, a, e, out);
    compareIndexes(e.name, a, e, out);
    compareTriggers(e.name, a, e, out);
  }
  for (const a of actual.tables) {
    if (!expectedTables.has(a.name)) out.push({ kind: 'table', table: a.name, problem: 'extra', message: `table ${a.name} exists here but not in the target schema` });
  }
  return out.sort(
    (x, y) =>
      cmp(x.table, y.table) ||
      KIND_ORDER[x.kind] - KIND_ORDER[y.kind] ||
      cmp(x.name ?? '', y.name ?? '') ||
      PROBLEM_ORDER[x.problem] - PROBLEM_ORDER[y.problem] ||
      cmp(x.message, y.message),
  );
}
