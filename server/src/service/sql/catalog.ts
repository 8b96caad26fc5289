/**
 * The schema at each point of a plan, without a database.
 *
 * A {@link Catalog} is built by applying parsed statements (the JSON AST of
 * `libpg-query`, one `stmts[i].stmt` node at a time) in plan order: the
 * current schema's DDL, then each phase's `sql`. It models what the SQL
 * rules need — tables and their columns (type, nullability, default),
 * indexes and constraints — and follows PostgreSQL 17's behaviour closely
 * enough that names it generates (`users_pkey`, `users_email_key`,
 * `users_check1`, …) are the ones a later statement can drop or rename.
 * Views, sequences and tables whose columns are unknown (`CREATE TABLE AS`)
 * are kept in {@link Catalog.relations}: their names resolve, their columns
 * are not modelled.
 *
 * Names follow PostgreSQL: identifiers arrive lower-cased or case-kept from
 * the parser; a `public.` schema is stripped, any other schema is kept as
 * `schema.name`. Locations are the parser's: byte offsets into the UTF-8 of
 * the SQL text that was parsed.
 *
 * This module never loads the parser: it takes the AST as plain JSON.
 */

// ---------------------------------------------------------------------------
// Public shapes

export interface Origin {
  /** which SQL value of the plan */
  source: string;
  /** byte offset of the defining node in that SQL text */
  location: number;
}

export interface Column {
  name: string;
  /** canonical display form (`integer`, `character varying(64)`, `timestamp with time zone`, `text[]`) */
  type: string;
  notNull: boolean;
  /** normalized SQL text of the default (see {@link defaultText}); absent: none */
  default?: string;
  /** `GENERATED ALWAYS AS (expr) STORED`: the expression's text */
  generated?: string;
  /** `GENERATED … AS IDENTITY` */
  identity?: 'always' | 'by default';
  origin?: Origin;
}

export interface Table {
  name: string;
  /** in column order (PostgreSQL's attnum order) */
  columns: Map<string, Column>;
  origin?: Origin;
}

/** One element of an index's key: a column, or an expression. */
export interface IndexElement {
  column?: string;
  /** the expression's AST (JSON), for an expression element */
  expr?: unknown;
  /** ` DESC`, ` NULLS FIRST`, ` text_pattern_ops`, ` COLLATE "C"`…, as written after the element */
  options?: string;
}

export interface Index {
  /** qualified as tables are: `name` in public, `schema.name` elsewhere */
  name: string;
  table: string;
  /** key columns: names, or the normalized text of an expression element */
  columns: string[];
  unique: boolean;
  /** access method, `btree` unless given */
  method?: string;
  /** INCLUDE columns */
  include?: string[];
  /** partial index predicate, normalized */
  where?: string;
  /** set when the index belongs to a PRIMARY KEY, UNIQUE or EXCLUDE constraint (same name) */
  constraint?: string;
  /** the parsed key (for renames); `columns` is derived from it */
  elements?: IndexElement[];
  /** the predicate's AST (JSON) */
  whereExpr?: unknown;
  origin?: Origin;
}

export type ConstraintKind = 'primary' | 'unique' | 'check' | 'foreign' | 'exclusion';

export interface Constraint {
  name: string;
  table: string;
  kind: ConstraintKind;
  /** key columns (PRIMARY KEY, UNIQUE, FOREIGN KEY, EXCLUDE) or, for CHECK, the distinct columns its expression reads */
  columns: string[];
  /** CHECK: is it `col IS NOT NULL` for one column (what makes SET NOT NULL cheap) */
  notNullOf?: string;
  validated: boolean;
  references?: { table: string; columns: string[] };
  /** CHECK: the normalized expression */
  expression?: string;
  /** CHECK: the expression's AST (JSON), for renames */
  expr?: unknown;
  /** FOREIGN KEY: ` MATCH FULL`, ` ON UPDATE …`, ` ON DELETE …` as PostgreSQL shows them (NO ACTION and MATCH SIMPLE omitted) */
  actions?: string;
  /** PRIMARY KEY / UNIQUE: INCLUDE columns */
  include?: string[];
  /** EXCLUDE: `USING method (element WITH operator, …)` */
  exclusion?: string;
  /** EXCLUDE: the operator of each element */
  operators?: string[];
  /** PRIMARY KEY / UNIQUE / EXCLUDE: the index that enforces it (same name, qualified as indexes are) */
  index?: string;
  origin?: Origin;
}

/** Views, sequences and tables whose columns are not known. */
export interface Relation {
  name: string;
  kind: 'view' | 'materialized view' | 'sequence' | 'table' | 'foreign table';
  /** output column names when they could be read from the defining query */
  columns?: string[];
  origin?: Origin;
}

export type NoteKind =
  /** the statement names a table (or relation) that does not exist at this point: not applied */
  | 'unknown-table'
  /** a column that does not exist: that part not applied */
  | 'unknown-column'
  | 'unknown-index'
  | 'unknown-constraint'
  /** the name is taken: not applied (PostgreSQL would fail) */
  | 'already-exists'
  /** PostgreSQL would refuse without CASCADE (a foreign key, a constraint's index…): not applied */
  | 'has-dependents'
  /** DDL whose effect on tables, columns, indexes or constraints is not modelled: the catalog may be wrong after it */
  | 'not-modelled'
  /** DDL that cannot change what the catalog models (functions, triggers, comments, grants, types…): skipped */
  | 'ignored';

export interface ApplyNote {
  kind: NoteKind;
  message: string;
  /** the SQL value */
  source: string;
  /** byte offset in that SQL text (the most precise node available, else the statement's) */
  location: number;
  /** the name the note is about, when there is one */
  name?: string;
}

// ---------------------------------------------------------------------------
// JSON AST access

/** A JSON object of the AST. */
export type JsonObject = { [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{Tag: {...}}` → its tag and body. */
export function nodeOf(v: unknown): { tag: string; body: JsonObject } | undefined {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const body = v[keys[0]];
  return isObject(body) ? { tag: keys[0], body } : undefined;
}

/** The body of `{tag: {...}}`, or undefined when the node is another kind. */
export function bodyOf(v: unknown, tag: string): JsonObject | undefined {
  if (!isObject(v)) return undefined;
  const body = v[tag];
  return isObject(body) ? body : undefined;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** The `sval` of a `String` node. */
export function sval(v: unknown): string | undefined {
  return str(bodyOf(v, 'String')?.sval);
}

/** The svals of a list of `String` nodes (other nodes skipped). */
export function svals(v: unknown): string[] {
  const out: string[] = [];
  for (const item of list(v)) {
    const s = sval(item);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** A node's `location` when the parser knows it (it omits 0, and gives -1 for none). */
export function locationOf(body: JsonObject | undefined): number | undefined {
  if (!body) return undefined;
  const l = body.location;
  if (typeof l === 'number') return l >= 0 ? l : undefined;
  return undefined;
}

/** The location of a node whose kind always has one (ColumnRef, RangeVar, …): a missing field means 0. */
export function locationOr0(body: JsonObject | undefined): number {
  if (!body) return 0;
  const l = body.location;
  return typeof l === 'number' ? (l >= 0 ? l : 0) : 0;
}

/** `stmts[i]` (`{stmt, stmt_location}`) or a statement node → the node and its start. */
export function unwrapStatement(v: unknown): { node: unknown; location?: number; length?: number } {
  if (isObject(v) && 'stmt' in v && isObject(v.stmt)) {
    return { node: v.stmt, location: num(v.stmt_location) ?? 0, length: num(v.stmt_len) };
  }
  return { node: v };
}

/** Drops a `public` schema; keeps any other one as `schema.name`. */
export function qualify(schema: string | undefined, name: string): string {
  return schema && schema !== 'public' ? `${schema}.${name}` : name;
}

/** The schema part of a qualified name (`public` when none). */
export function schemaOf(name: string): string {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : 'public';
}

/** The unqualified part of a name. */
export function baseName(name: string): string {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(dot + 1) : name;
}

export interface RangeVarInfo {
  schema?: string;
  relname: string;
  /** `schema.relname`, or `relname` for public */
  name: string;
  alias?: string;
  aliasColumns?: string[];
  location: number;
}

/** A `RangeVar` (wrapped or its body). */
export function rangeVar(v: unknown): RangeVarInfo | undefined {
  const body = bodyOf(v, 'RangeVar') ?? (isObject(v) && typeof v.relname === 'string' ? v : undefined);
  if (!body) return undefined;
  const relname = str(body.relname);
  if (relname === undefined) return undefined;
  const schema = str(body.schemaname);
  const alias = isObject(body.alias) ? body.alias : undefined;
  const aliasColumns = alias && Array.isArray(alias.colnames) ? svals(alias.colnames) : undefined;
  return {
    schema,
    relname,
    name: qualify(schema, relname),
    alias: alias ? str(alias.aliasname) : undefined,
    aliasColumns,
    location: locationOr0(body),
  };
}

/** A qualified name given as a list of `String` nodes (DROP objects, type names): `public.` stripped, a catalog (database) part dropped. */
export function qualifiedName(parts: string[]): string {
  const p = parts.length > 2 ? parts.slice(-2) : parts;
  return p.length === 2 ? qualify(p[0], p[1]) : (p[0] ?? '');
}

// ---------------------------------------------------------------------------
// Types

const TYPE_NAMES: Record<string, string> = {
  int2: 'smallint',
  smallint: 'smallint',
  int4: 'integer',
  int: 'integer',
  integer: 'integer',
  int8: 'bigint',
  bigint: 'bigint',
  float4: 'real',
  real: 'real',
  float8: 'double precision',
  'double precision': 'double precision',
  bool: 'boolean',
  boolean: 'boolean',
  varchar: 'character varying',
  'character varying': 'character varying',
  timestamptz: 'timestamp with time zone',
  'timestamp with time zone': 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  'timestamp without time zone': 'timestamp without time zone',
  timetz: 'time with time zone',
  'time with time zone': 'time with time zone',
  time: 'time without time zone',
  'time without time zone': 'time without time zone',
  varbit: 'bit varying',
  'bit varying': 'bit varying',
  decimal: 'numeric',
  numeric: 'numeric',
  char: '"char"',
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
  smallserial: 'smallint',
  serial2: 'smallint',
};

const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

const INTERVAL_FIELDS: Record<number, string> = {
  [1 << 2]: 'year',
  [1 << 1]: 'month',
  [1 << 3]: 'day',
  [1 << 10]: 'hour',
  [1 << 11]: 'minute',
  [1 << 12]: 'second',
  [(1 << 2) | (1 << 1)]: 'year to month',
  [(1 << 3) | (1 << 10)]: 'day to hour',
  [(1 << 3) | (1 << 10) | (1 << 11)]: 'day to minute',
  [(1 << 3) | (1 << 10) | (1 << 11) | (1 << 12)]: 'day to second',
  [(1 << 10) | (1 << 11)]: 'hour to minute',
  [(1 << 10) | (1 << 11) | (1 << 12)]: 'hour to second',
  [(1 << 11) | (1 << 12)]: 'minute to second',
};
const INTERVAL_FULL_RANGE = 0x7fff;

function typmodValues(typmods: unknown): Array<number | string> {
  const out: Array<number | string> = [];
  for (const m of list(typmods)) {
    const c = bodyOf(m, 'A_Const');
    if (c) {
      const v = constValue(c);
      if (v.kind === 'int' || v.kind === 'float') out.push(Number(v.text));
      else out.push(v.text);
    } else {
      const col = bodyOf(m, 'ColumnRef');
      out.push(col ? svals(col.fields).join('.') : exprText(m));
    }
  }
  return out;
}

/** The type's name as written, lower-level: `pg_catalog.` stripped, `public.` stripped. */
function rawTypeName(typeName: JsonObject): string {
  const names = svals(typeName.names);
  if (names.length > 1 && names[0] === 'pg_catalog') names.shift();
  return qualifiedName(names);
}

/** Is this TypeName one of the serial pseudo-types? */
export function isSerialType(typeName: unknown): boolean {
  const body = bodyOf(typeName, 'TypeName') ?? (isObject(typeName) ? typeName : undefined);
  if (!body) return false;
  const names = svals(body.names);
  return names.length === 1 && SERIAL_TYPES.has(names[0]) && list(body.arrayBounds).length === 0;
}

/**
 * A `TypeName` in PostgreSQL's display form (what `format_type` prints):
 * `int`/`int4`/`integer` → `integer`, `varchar(64)` → `character varying(64)`,
 * `timestamptz` → `timestamp with time zone`, `numeric(10)` → `numeric(10,0)`,
 * arrays as `type[]`; other names kept (schema-qualified unless public).
 */
export function typeText(typeName: unknown): string {
  const body = bodyOf(typeName, 'TypeName') ?? (isObject(typeName) ? typeName : undefined);
  if (!body) return 'unknown';
  const raw = rawTypeName(body);
  const mods = typmodValues(body.typmods);
  let text: string;
  const mapped = TYPE_NAMES[raw];
  switch (raw) {
    case 'bpchar':
      text = mods.length ? `character(${mods.join(',')})` : 'bpchar';
      break;
    case 'varchar':
    case 'bit':
    case 'varbit':
      text = (mapped ?? raw) + (mods.length ? `(${mods.join(',')})` : '');
      break;
    case 'numeric':
    case 'decimal':
      text = mods.length === 1 ? `numeric(${mods[0]},0)` : mods.length ? `numeric(${mods.join(',')})` : 'numeric';
      break;
    case 'timestamp':
    case 'timestamptz':
    case 'time':
    case 'timetz': {
      const [word, rest] = mapped!.split(/ (.*)/s);
      text = mods.length ? `${word}(${mods[0]}) ${rest}` : mapped!;
      break;
    }
    case 'interval': {
      text = 'interval';
      const mask = typeof mods[0] === 'number' ? mods[0] : undefined;
      if (mask !== undefined && mask !== INTERVAL_FULL_RANGE && INTERVAL_FIELDS[mask]) text += ` ${INTERVAL_FIELDS[mask]}`;
      if (mods.length > 1) text += `(${mods[1]})`;
      break;
    }
    default:
      text = (mapped ?? quoteQualified(raw)) + (mods.length ? `(${mods.join(',')})` : '');
  }
  if (list(body.arrayBounds).length > 0) text += '[]';
  if (body.pct_type === true) text += '%TYPE';
  if (body.setof === true) text = `SETOF ${text}`;
  return text;
}

function quoteQualified(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

// ---------------------------------------------------------------------------
// Expressions

const SIMPLE_IDENT = /^[a-z_][a-z0-9_$]*$/;
const RESERVED = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time',
  'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except',
  'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into',
  'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order',
  'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user',
  'table', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window',
  'with',
]);

/** An identifier as PostgreSQL would print it: bare when it can be, double-quoted otherwise. */
export function quoteIdent(name: string): string {
  return SIMPLE_IDENT.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

interface ConstValue {
  kind: 'int' | 'float' | 'string' | 'bool' | 'bits' | 'null';
  text: string;
}

function constValue(c: JsonObject): ConstValue {
  if (c.isnull === true) return { kind: 'null', text: 'NULL' };
  if (isObject(c.ival)) return { kind: 'int', text: String(num(c.ival.ival) ?? 0) };
  if (isObject(c.fval)) return { kind: 'float', text: str(c.fval.fval) ?? '0' };
  if (isObject(c.boolval)) return { kind: 'bool', text: c.boolval.boolval === true ? 'true' : 'false' };
  if (isObject(c.sval)) return { kind: 'string', text: quoteLiteral(str(c.sval.sval) ?? '') };
  if (isObject(c.bsval)) {
    const b = str(c.bsval.bsval) ?? '';
    return { kind: 'bits', text: `${b.slice(0, 1).toUpperCase()}'${b.slice(1)}'` };
  }
  return { kind: 'null', text: 'NULL' };
}

/** Removes `location` fields, for a stable JSON form. */
function withoutLocations(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutLocations);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) {
    if (k === 'location' || k === 'stmt_location' || k === 'stmt_len') continue;
    out[k] = withoutLocations(val);
  }
  return out;
}

/** A stable text for any node (no locations), used where the printer has no form. */
export function stableJson(v: unknown): string {
  return JSON.stringify(withoutLocations(v));
}

const ATOMIC = new Set([
  'A_Const', 'ColumnRef', 'ParamRef', 'FuncCall', 'TypeCast', 'A_ArrayExpr', 'CaseExpr', 'CoalesceExpr',
  'MinMaxExpr', 'SQLValueFunction', 'A_Indirection', 'RowExpr', 'SubLink', 'SetToDefault', 'NullIfExpr',
]);

function wrap(node: unknown): string {
  const n = nodeOf(node);
  const text = exprText(node);
  if (!n) return text;
  if (n.tag === 'A_Const' && text.startsWith('-')) return `(${text})`;
  if (n.tag === 'A_Expr' && n.body.kind === 'AEXPR_NULLIF') return text;
  return ATOMIC.has(n.tag) ? text : `(${text})`;
}

function funcName(names: string[]): string {
  if (names.length > 1 && names[0] === 'pg_catalog') names = names.slice(1);
  return qualifiedName(names)
    .split('.')
    .map(quoteIdent)
    .join('.');
}

const SQL_VALUE_FUNCTIONS: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'CURRENT_DATE',
  SVFOP_CURRENT_TIME: 'CURRENT_TIME',
  SVFOP_CURRENT_TIME_N: 'CURRENT_TIME',
  SVFOP_CURRENT_TIMESTAMP: 'CURRENT_TIMESTAMP',
  SVFOP_CURRENT_TIMESTAMP_N: 'CURRENT_TIMESTAMP',
  SVFOP_LOCALTIME: 'LOCALTIME',
  SVFOP_LOCALTIME_N: 'LOCALTIME',
  SVFOP_LOCALTIMESTAMP: 'LOCALTIMESTAMP',
  SVFOP_LOCALTIMESTAMP_N: 'LOCALTIMESTAMP',
  SVFOP_CURRENT_ROLE: 'CURRENT_ROLE',
  SVFOP_CURRENT_USER: 'CURRENT_USER',
  SVFOP_USER: 'USER',
  SVFOP_SESSION_USER: 'SESSION_USER',
  SVFOP_CURRENT_CATALOG: 'CURRENT_CATALOG',
  SVFOP_CURRENT_SCHEMA: 'CURRENT_SCHEMA',
};

function sortByText(node: unknown): string {
  const s = bodyOf(node, 'SortBy');
  if (!s) return exprText(node);
  let text = exprText(s.node);
  if (s.sortby_dir === 'SORTBY_DESC') text += ' DESC';
  else if (s.sortby_dir === 'SORTBY_USING') text += ` USING ${svals(s.useOp).join('.')}`;
  if (s.sortby_nulls === 'SORTBY_NULLS_FIRST') text += ' NULLS FIRST';
  else if (s.sortby_nulls === 'SORTBY_NULLS_LAST') text += ' NULLS LAST';
  return text;
}

function windowText(w: JsonObject): string {
  const parts: string[] = [];
  const ref = str(w.refname);
  if (ref) parts.push(quoteIdent(ref));
  const partition = list(w.partitionClause);
  if (partition.length) parts.push(`PARTITION BY ${partition.map(exprText).join(', ')}`);
  const order = list(w.orderClause);
  if (order.length) parts.push(`ORDER BY ${order.map(sortByText).join(', ')}`);
  const name = str(w.name);
  if (name && !parts.length) return quoteIdent(name);
  return `(${parts.join(' ')})`;
}

/**
 * Normalized SQL text of an expression: deterministic for a given AST (so
 * `(a > 0)` and `a>0` print the same), PostgreSQL-like for the common nodes
 * (constants, column references, function calls such as `now()` and
 * `nextval('seq')`, casts, operators, boolean logic, NULL tests, CASE,
 * COALESCE, arrays…) and a stable JSON form for anything else.
 */
export function exprText(node: unknown): string {
  const n = nodeOf(node);
  if (!n) return Array.isArray(node) ? node.map(exprText).join(', ') : stableJson(node);
  const b = n.body;
  switch (n.tag) {
    case 'A_Const':
      return constValue(b).text;
    case 'ColumnRef':
      return list(b.fields)
        .map((f) => (bodyOf(f, 'A_Star') ? '*' : quoteIdent(sval(f) ?? '?')))
        .join('.');
    case 'ParamRef':
      return `$${num(b.number) ?? 0}`;
    case 'String':
      return quoteIdent(str(b.sval) ?? '');
    case 'Integer':
      return String(num(b.ival) ?? 0);
    case 'List':
      return list(b.items).map(exprText).join(', ');
    case 'SetToDefault':
      return 'DEFAULT';
    case 'FuncCall': {
      const name = funcName(svals(b.funcname));
      let args: string;
      if (b.agg_star === true) args = '*';
      else {
        const parts = list(b.args).map(exprText);
        if (b.func_variadic === true && parts.length) parts[parts.length - 1] = `VARIADIC ${parts[parts.length - 1]}`;
        args = (b.agg_distinct === true ? 'DISTINCT ' : '') + parts.join(', ');
      }
      const order = list(b.agg_order);
      if (order.length) args += ` ORDER BY ${order.map(sortByText).join(', ')}`;
      let text = b.agg_within_group === true && order.length
        ? `${name}(${list(b.args).map(exprText).join(', ')}) WITHIN GROUP (ORDER BY ${order.map(sortByText).join(', ')})`
        : `${name}(${args})`;
      if (b.agg_filter !== undefined) text += ` FILTER (WHERE ${exprText(b.agg_filter)})`;
      const over = bodyOf(b.over, 'WindowDef') ?? (isObject(b.over) ? b.over : undefined);
      if (over) text += ` OVER ${windowText(over)}`;
      return text;
    }
    case 'NamedArgExpr':
      return `${quoteIdent(str(b.name) ?? '')} => ${exprText(b.arg)}`;
    case 'TypeCast':
      return `${wrap(b.arg)}::${typeText(b.typeName)}`;
    case 'CollateClause':
      return `${wrap(b.arg)} COLLATE ${svals(b.collname).map(quoteIdent).join('.')}`;
    case 'A_Expr':
      return aExprText(b);
    case 'BoolExpr': {
      const args = list(b.args).map(wrap);
      if (b.boolop === 'NOT_EXPR') return `NOT ${args[0] ?? ''}`;
      return args.join(b.boolop === 'OR_EXPR' ? ' OR ' : ' AND ');
    }
    case 'NullTest':
      return `${wrap(b.arg)} IS ${b.nulltesttype === 'IS_NOT_NULL' ? 'NOT ' : ''}NULL`;
    case 'BooleanTest': {
      const tests: Record<string, string> = {
        IS_TRUE: 'IS TRUE', IS_NOT_TRUE: 'IS NOT TRUE', IS_FALSE: 'IS FALSE',
        IS_NOT_FALSE: 'IS NOT FALSE', IS_UNKNOWN: 'IS UNKNOWN', IS_NOT_UNKNOWN: 'IS NOT UNKNOWN',
      };
      return `${wrap(b.arg)} ${tests[str(b.booltesttype) ?? ''] ?? 'IS ?'}`;
    }
    case 'CaseExpr': {
      let text = 'CASE';
      if (b.arg !== undefined) text += ` ${exprText(b.arg)}`;
      for (const w of list(b.args)) {
        const cw = bodyOf(w, 'CaseWhen');
        if (cw) text += ` WHEN ${exprText(cw.expr)} THEN ${exprText(cw.result)}`;
      }
      if (b.defresult !== undefined) text += ` ELSE ${exprText(b.defresult)}`;
      return `${text} END`;
    }
    case 'CoalesceExpr':
      return `COALESCE(${list(b.args).map(exprText).join(', ')})`;
    case 'MinMaxExpr':
      return `${b.op === 'IS_LEAST' ? 'LEAST' : 'GREATEST'}(${list(b.args).map(exprText).join(', ')})`;
    case 'SQLValueFunction': {
      const name = SQL_VALUE_FUNCTIONS[str(b.op) ?? ''] ?? stableJson(node);
      const typmod = num(b.typmod);
      return typmod !== undefined && typmod >= 0 ? `${name}(${typmod})` : name;
    }
    case 'A_ArrayExpr':
      return `ARRAY[${list(b.elements).map(exprText).join(', ')}]`;
    case 'RowExpr':
      return `ROW(${list(b.args).map(exprText).join(', ')})`;
    case 'A_Indirection': {
      let text = `(${exprText(b.arg)})`;
      for (const ind of list(b.indirection)) {
        const idx = bodyOf(ind, 'A_Indices');
        if (idx) {
          const lo = idx.lidx !== undefined ? exprText(idx.lidx) : '';
          const hi = idx.uidx !== undefined ? exprText(idx.uidx) : '';
          text += idx.is_slice === true ? `[${lo}:${hi}]` : `[${hi}]`;
        } else if (bodyOf(ind, 'A_Star')) text += '.*';
        else text += `.${quoteIdent(sval(ind) ?? '?')}`;
      }
      return text;
    }
    default:
      return stableJson(node);
  }
}

function aExprText(b: JsonObject): string {
  const op = svals(b.name).join('.');
  const l = b.lexpr;
  const r = b.rexpr;
  switch (b.kind) {
    case 'AEXPR_OP':
      if (l === undefined) return `${op}${wrap(r)}`;
      if (r === undefined) return `${wrap(l)} ${op}`;
      return `${wrap(l)} ${op} ${wrap(r)}`;
    case 'AEXPR_OP_ANY':
      return `${wrap(l)} ${op} ANY (${exprText(r)})`;
    case 'AEXPR_OP_ALL':
      return `${wrap(l)} ${op} ALL (${exprText(r)})`;
    case 'AEXPR_DISTINCT':
      return `${wrap(l)} IS DISTINCT FROM ${wrap(r)}`;
    case 'AEXPR_NOT_DISTINCT':
      return `${wrap(l)} IS NOT DISTINCT FROM ${wrap(r)}`;
    case 'AEXPR_NULLIF':
      return `NULLIF(${exprText(l)}, ${exprText(r)})`;
    case 'AEXPR_IN':
      return `${wrap(l)} ${op === '<>' ? 'NOT IN' : 'IN'} (${exprText(r)})`;
    case 'AEXPR_LIKE':
      return `${wrap(l)} ${op === '!~~' ? 'NOT LIKE' : 'LIKE'} ${wrap(r)}`;
    case 'AEXPR_ILIKE':
      return `${wrap(l)} ${op === '!~~*' ? 'NOT ILIKE' : 'ILIKE'} ${wrap(r)}`;
    case 'AEXPR_SIMILAR':
      return `${wrap(l)} ${op === '!~' ? 'NOT SIMILAR TO' : 'SIMILAR TO'} ${wrap(r)}`;
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM': {
      const [lo, hi] = list(bodyOf(r, 'List')?.items ?? r);
      const words: Record<string, string> = {
        AEXPR_BETWEEN: 'BETWEEN', AEXPR_NOT_BETWEEN: 'NOT BETWEEN',
        AEXPR_BETWEEN_SYM: 'BETWEEN SYMMETRIC', AEXPR_NOT_BETWEEN_SYM: 'NOT BETWEEN SYMMETRIC',
      };
      return `${wrap(l)} ${words[b.kind]} ${wrap(lo)} AND ${wrap(hi)}`;
    }
    default:
      return stableJson({ A_Expr: b });
  }
}

/** Is the node a NULL constant (possibly cast: `NULL::text`)? */
function isNullConst(node: unknown): boolean {
  const c = bodyOf(node, 'A_Const');
  if (c) return c.isnull === true;
  const cast = bodyOf(node, 'TypeCast');
  return cast ? isNullConst(cast.arg) : false;
}

/** The base of a display type, without its modifiers (`character varying(64)` → `character varying`). */
function typeBase(type: string): string {
  return type.replace(/\(.*?\)/g, '').replace(/\s+/g, ' ').trim();
}

function stripPublic(name: string): string {
  return name.startsWith('public.') ? name.slice(7) : name;
}

const NUMERIC_TYPES = new Set(['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision']);

/** Rewrites a default expression into the form that compares equal however it was written. */
function normalizeDefault(node: unknown, columnType: string | undefined): unknown {
  const n = nodeOf(node);
  if (!n) return node;
  if (n.tag === 'TypeCast') {
    const arg = nodeOf(n.body.arg);
    // `'x'::text` on a text column is what PostgreSQL stores for `DEFAULT 'x'`.
    if (arg && arg.tag === 'A_Const' && columnType && typeBase(typeText(n.body.typeName)) === typeBase(columnType)) {
      return normalizeDefault(n.body.arg, columnType);
    }
  }
  if (n.tag === 'A_Const' && columnType && NUMERIC_TYPES.has(typeBase(columnType)) && isObject(n.body.sval)) {
    // `'-1'::integer` (how PostgreSQL shows a negative default) or `'5'` on a number column: the number
    const v = str(n.body.sval.sval) ?? '';
    if (/^-?\d+$/.test(v) && Number.isSafeInteger(Number(v))) return { A_Const: { ival: { ival: Number(v) } } };
    if (/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v)) return { A_Const: { fval: { fval: v } } };
  }
  if (n.tag === 'FuncCall') {
    const names = svals(n.body.funcname);
    const fname = names[names.length - 1];
    const args = list(n.body.args);
    if (fname === 'nextval' && args.length === 1) {
      // nextval('seq'), nextval('seq'::regclass), nextval('public.seq'::regclass) → one form
      let a = args[0];
      const cast = bodyOf(a, 'TypeCast');
      if (cast) a = cast.arg;
      const c = bodyOf(a, 'A_Const');
      const s = c && isObject(c.sval) ? str(c.sval.sval) : undefined;
      if (s !== undefined) {
        return {
          FuncCall: {
            funcname: [{ String: { sval: 'nextval' } }],
            args: [{ TypeCast: { arg: { A_Const: { sval: { sval: stripPublic(s) } } }, typeName: { names: [{ String: { sval: 'regclass' } }] } } }],
          },
        };
      }
    }
  }
  return node;
}

/**
 * The normalized text of a column default: `DEFAULT NULL` is no default
 * (undefined, as PostgreSQL stores none); a constant cast to the column's own
 * type loses the cast (`'x'::text` on a text column is `'x'`); `nextval('s')`
 * is `nextval('s'::regclass)` with `public.` stripped.
 */
export function defaultText(expr: unknown, columnType?: string): string | undefined {
  if (expr === undefined || isNullConst(expr)) return undefined;
  return exprText(normalizeDefault(expr, columnType));
}

/** PostgreSQL's FigureColname: the name a target-list expression gets without `AS`. */
export function figureColname(node: unknown): string | undefined {
  return figureColnameInternal(node)[0];
}

/** FigureColnameInternal: the name and its strength (2: a real name, 1: a fallback such as a type name or `case`). */
function figureColnameInternal(node: unknown): [string | undefined, number] {
  const n = nodeOf(node);
  if (!n) return [undefined, 0];
  const b = n.body;
  switch (n.tag) {
    case 'ColumnRef': {
      const fields = list(b.fields);
      const last = fields[fields.length - 1];
      const name = bodyOf(last, 'A_Star') ? undefined : sval(last);
      return name !== undefined ? [name, 2] : [undefined, 0];
    }
    case 'A_Indirection': {
      const ind = list(b.indirection);
      for (let i = ind.length - 1; i >= 0; i--) {
        const s = sval(ind[i]);
        if (s !== undefined) return [s, 2];
      }
      return figureColnameInternal(b.arg);
    }
    case 'FuncCall': {
      const names = svals(b.funcname);
      return [names[names.length - 1], 2];
    }
    case 'A_Expr':
      return b.kind === 'AEXPR_NULLIF' ? ['nullif', 2] : [undefined, 0];
    case 'TypeCast': {
      const inner = figureColnameInternal(b.arg);
      if (inner[1] > 1) return inner;
      const names = svals(isObject(b.typeName) ? b.typeName.names : undefined);
      return names.length ? [names[names.length - 1], 1] : inner;
    }
    case 'CollateClause':
      return figureColnameInternal(b.arg);
    case 'GroupingFunc':
      return ['grouping', 2];
    case 'SubLink':
      switch (b.subLinkType) {
        case 'EXISTS_SUBLINK':
          return ['exists', 2];
        case 'ARRAY_SUBLINK':
          return ['array', 2];
        case 'EXPR_SUBLINK': {
          const sel = bodyOf(b.subselect, 'SelectStmt');
          const first = bodyOf(list(sel?.targetList)[0], 'ResTarget');
          const name = first ? str(first.name) : undefined;
          return name !== undefined ? [name, 2] : [undefined, 0];
        }
        default:
          return [undefined, 0];
      }
    case 'CaseExpr': {
      const inner = figureColnameInternal(b.defresult);
      return inner[1] > 1 ? inner : ['case', 1];
    }
    case 'A_ArrayExpr':
      return ['array', 2];
    case 'RowExpr':
      return ['row', 2];
    case 'CoalesceExpr':
      return ['coalesce', 2];
    case 'MinMaxExpr':
      return [b.op === 'IS_LEAST' ? 'least' : 'greatest', 2];
    case 'SQLValueFunction': {
      const name = (SQL_VALUE_FUNCTIONS[str(b.op) ?? ''] ?? '').toLowerCase();
      return name ? [name, 2] : [undefined, 0];
    }
    default:
      return [undefined, 0];
  }
}

/** The distinct column names an expression reads (last field of each ColumnRef), not descending into subqueries. */
export function columnsIn(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const v of node) columnsIn(v, into);
    return into;
  }
  if (!isObject(node)) return into;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'SelectStmt') continue;
    if (k === 'ColumnRef' && isObject(v)) {
      const fields = list(v.fields);
      const last = sval(fields[fields.length - 1]);
      if (last !== undefined && !into.includes(last)) into.push(last);
      continue;
    }
    columnsIn(v, into);
  }
  return into;
}

/** A copy of the expression with column references to `from` renamed to `to`. */
function renameColumnRefs(node: unknown, from: string, to: string): unknown {
  if (Array.isArray(node)) return node.map((v) => renameColumnRefs(v, from, to));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'ColumnRef' && isObject(v)) {
      const fields = list(v.fields);
      const last = fields.length - 1;
      out[k] = {
        ...v,
        fields: fields.map((f, i) => (i === last && sval(f) === from ? { String: { sval: to } } : f)),
      };
    } else out[k] = renameColumnRefs(v, from, to);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Generated names (PostgreSQL's makeObjectName / ChooseRelationName / ChooseConstraintName)

const NAMEDATALEN = 64;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The first `bytes` bytes of `s`, not cutting a character. */
function clipBytes(s: string, bytes: number): string {
  const b = encoder.encode(s);
  if (b.length <= bytes) return s;
  let end = bytes;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return decoder.decode(b.subarray(0, end));
}

/** makeObjectName: `name1_name2_label`, name1 and name2 shortened evenly to fit 63 bytes. */
export function makeObjectName(name1: string, name2: string | undefined, label: string | undefined): string {
  let overhead = 0;
  let n1 = encoder.encode(name1).length;
  let n2 = 0;
  if (name2 !== undefined) {
    n2 = encoder.encode(name2).length;
    overhead++;
  }
  if (label !== undefined) overhead += encoder.encode(label).length + 1;
  const avail = NAMEDATALEN - 1 - overhead;
  while (n1 + n2 > avail) {
    if (n1 > n2) n1--;
    else n2--;
  }
  let name = clipBytes(name1, n1);
  if (name2 !== undefined) name += `_${clipBytes(name2, n2)}`;
  if (label !== undefined) name += `_${label}`;
  return name;
}

/** ChooseIndexColumnNames + ChooseIndexNameAddition: element names, made distinct, joined by `_`. */
function indexNameAddition(names: string[]): string {
  const used: string[] = [];
  for (const orig of names) {
    let cur = orig;
    for (let i = 1; used.includes(cur); i++) cur = makeObjectName(orig, undefined, undefined) + String(i);
    used.push(cur);
  }
  let buf = '';
  for (const n of used) {
    if (buf.length) buf += '_';
    buf += n;
    if (encoder.encode(buf).length >= NAMEDATALEN) break;
  }
  return buf;
}

// ---------------------------------------------------------------------------
// The catalog

/** Map key of a constraint: constraint names are unique per table. */
export function constraintKey(table: string, name: string): string {
  return `${table}.${name}`;
}

function copyIndex(i: Index): Index {
  return {
    ...i,
    columns: [...i.columns],
    include: i.include ? [...i.include] : undefined,
    elements: i.elements ? i.elements.map((e) => ({ ...e })) : undefined,
  };
}

function copyConstraint(c: Constraint): Constraint {
  return {
    ...c,
    columns: [...c.columns],
    include: c.include ? [...c.include] : undefined,
    operators: c.operators ? [...c.operators] : undefined,
    references: c.references ? { table: c.references.table, columns: [...c.references.columns] } : undefined,
  };
}

/** A constraint definition read from the AST, before it gets a name. */
interface ConstraintSpec {
  kind: ConstraintKind;
  name?: string;
  keys: string[];
  include: string[];
  /** CHECK */
  expr?: unknown;
  /** FOREIGN KEY */
  pktable?: RangeVarInfo;
  pkAttrs?: string[];
  actions?: string;
  /** USING INDEX */
  indexName?: string;
  /** EXCLUDE */
  exclusionElems?: Array<{ elem: IndexElement; op: string }>;
  accessMethod?: string;
  notValid: boolean;
  /** a column constraint (CHECK names then use the column) */
  column?: string;
  location: number;
}

const FK_ACTIONS: Record<string, string> = { r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

function constraintSpec(body: JsonObject, column: string | undefined, fallback: number): ConstraintSpec | undefined {
  const kinds: Record<string, ConstraintKind> = {
    CONSTR_PRIMARY: 'primary',
    CONSTR_UNIQUE: 'unique',
    CONSTR_CHECK: 'check',
    CONSTR_FOREIGN: 'foreign',
    CONSTR_EXCLUSION: 'exclusion',
  };
  const kind = kinds[str(body.contype) ?? ''];
  if (!kind) return undefined;
  let keys = svals(body.keys);
  if (kind === 'foreign') keys = svals(body.fk_attrs);
  if (column !== undefined && keys.length === 0 && kind !== 'check') keys = [column];
  const spec: ConstraintSpec = {
    kind,
    name: str(body.conname),
    keys,
    include: svals(body.including),
    notValid: body.skip_validation === true,
    column,
    location: locationOf(body) ?? fallback,
    indexName: str(body.indexname),
  };
  if (kind === 'check') spec.expr = body.raw_expr;
  if (kind === 'foreign') {
    spec.pktable = rangeVar(body.pktable);
    spec.pkAttrs = svals(body.pk_attrs);
    let actions = '';
    if (body.fk_matchtype === 'f') actions += ' MATCH FULL';
    else if (body.fk_matchtype === 'p') actions += ' MATCH PARTIAL';
    const upd = FK_ACTIONS[str(body.fk_upd_action) ?? ''];
    if (upd) actions += ` ON UPDATE ${upd}`;
    const del = FK_ACTIONS[str(body.fk_del_action) ?? ''];
    if (del) actions += ` ON DELETE ${del}`;
    spec.actions = actions;
  }
  if (kind === 'exclusion') {
    spec.accessMethod = str(body.access_method) ?? 'btree';
    spec.exclusionElems = [];
    for (const pair of list(body.exclusions)) {
      const items = list(bodyOf(pair, 'List')?.items);
      const elem = indexElement(items[0]);
      const op = svals(bodyOf(items[1], 'List')?.items).join('.');
      if (elem) spec.exclusionElems.push({ elem, op });
    }
    spec.keys = spec.exclusionElems.map((e) => elementText(e.elem));
  }
  return spec;
}

/** Would PostgreSQL build the same index for both (same key, INCLUDE, exclusion operators)? */
function sameIndexSpec(a: ConstraintSpec, b: ConstraintSpec): boolean {
  if (a.indexName !== undefined || b.indexName !== undefined) return false;
  if ((a.kind === 'exclusion') !== (b.kind === 'exclusion')) return false;
  const same = (x: string[], y: string[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
  if (!same(a.keys, b.keys) || !same(a.include, b.include)) return false;
  if (a.kind === 'exclusion') {
    return a.accessMethod === b.accessMethod && same((a.exclusionElems ?? []).map((e) => e.op), (b.exclusionElems ?? []).map((e) => e.op));
  }
  return true;
}

/** An `IndexElem` (wrapped). */
export function indexElement(v: unknown): IndexElement | undefined {
  const b = bodyOf(v, 'IndexElem');
  if (!b) return undefined;
  let options = '';
  const coll = svals(b.collation);
  if (coll.length) options += ` COLLATE ${coll.map(quoteIdent).join('.')}`;
  const opclass = svals(b.opclass);
  if (opclass.length) options += ` ${opclass.filter((s) => s !== 'pg_catalog').join('.')}`;
  if (b.ordering === 'SORTBY_DESC') options += ' DESC';
  if (b.nulls_ordering === 'SORTBY_NULLS_FIRST') options += ' NULLS FIRST';
  else if (b.nulls_ordering === 'SORTBY_NULLS_LAST') options += ' NULLS LAST';
  const name = str(b.name);
  return name !== undefined ? { column: name, options: options || undefined } : { expr: b.expr, options: options || undefined };
}

/** An element's name in `Index.columns`: the column, or the expression's text. */
export function elementText(e: IndexElement): string {
  return e.column ?? exprText(e.expr);
}

/** The name PostgreSQL gives an element when it names an index (FigureIndexColname). */
function elementNamePart(e: IndexElement): string {
  return e.column ?? figureColname(e.expr) ?? 'expr';
}

/** Columns an index element list reads. */
function elementColumns(elements: IndexElement[]): string[] {
  const out: string[] = [];
  for (const e of elements) {
    if (e.column !== undefined) {
      if (!out.includes(e.column)) out.push(e.column);
    } else columnsIn(e.expr, out);
  }
  return out;
}

function elementDefinition(e: IndexElement): string {
  return (e.column !== undefined ? quoteIdent(e.column) : `(${exprText(e.expr)})`) + (e.options ?? '');
}

function exclusionText(method: string, elements: IndexElement[], operators: string[]): string {
  return `USING ${method} (${elements.map((e, i) => `${elementDefinition(e)} WITH ${operators[i] ?? '?'}`).join(', ')})`;
}

/** Normalized definition of an index, for comparisons and messages: `UNIQUE ON users USING btree (a, lower(b) DESC) INCLUDE (c) WHERE d IS NULL`. */
export function indexDefinition(i: Index): string {
  const elems = i.elements ? i.elements.map(elementDefinition) : i.columns.map(quoteIdent);
  let text = `${i.unique ? 'UNIQUE ' : ''}ON ${i.table} USING ${i.method ?? 'btree'} (${elems.join(', ')})`;
  if (i.include?.length) text += ` INCLUDE (${i.include.map(quoteIdent).join(', ')})`;
  if (i.where) text += ` WHERE ${i.where}`;
  return text;
}

/** Normalized definition of a constraint, as PostgreSQL's pg_get_constraintdef would read. */
export function constraintDefinition(c: Constraint): string {
  const cols = (l: string[]): string => l.map(quoteIdent).join(', ');
  let text: string;
  switch (c.kind) {
    case 'primary':
      text = `PRIMARY KEY (${cols(c.columns)})`;
      break;
    case 'unique':
      text = `UNIQUE (${cols(c.columns)})`;
      break;
    case 'check':
      text = `CHECK (${c.expression ?? ''})`;
      break;
    case 'foreign':
      text = `FOREIGN KEY (${cols(c.columns)}) REFERENCES ${c.references?.table ?? '?'} (${cols(c.references?.columns ?? [])})${c.actions ?? ''}`;
      break;
    case 'exclusion':
      text = `EXCLUDE ${c.exclusion ?? ''}`;
      break;
  }
  if (c.include?.length) text += ` INCLUDE (${cols(c.include)})`;
  if (!c.validated) text += ' NOT VALID';
  return text;
}

/** Statements that never touch the modelled structure and need no note. */
const QUIET_STATEMENTS = new Set([
  'VariableSetStmt', 'VariableShowStmt', 'TransactionStmt', 'SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt',
  'MergeStmt', 'CopyStmt', 'ExplainStmt', 'TruncateStmt', 'LockStmt', 'VacuumStmt', 'CheckPointStmt', 'DiscardStmt',
  'NotifyStmt', 'ListenStmt', 'UnlistenStmt', 'PrepareStmt', 'ExecuteStmt', 'DeallocateStmt', 'CallStmt',
  'ClusterStmt', 'ReindexStmt', 'DeclareCursorStmt', 'FetchStmt', 'ClosePortalStmt', 'ConstraintsSetStmt',
  'LoadStmt', 'PLAssignStmt',
]);

/** DDL that cannot change tables, columns, indexes or constraints: an `ignored` note. */
const IGNORED_STATEMENTS: Record<string, string> = {
  CreateFunctionStmt: 'CREATE FUNCTION',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreateEventTrigStmt: 'CREATE EVENT TRIGGER',
  CommentStmt: 'COMMENT',
  GrantStmt: 'GRANT/REVOKE',
  GrantRoleStmt: 'GRANT/REVOKE role',
  AlterOwnerStmt: 'ALTER … OWNER',
  AlterDefaultPrivilegesStmt: 'ALTER DEFAULT PRIVILEGES',
  CreateExtensionStmt: 'CREATE EXTENSION',
  AlterExtensionStmt: 'ALTER EXTENSION',
  CreateSchemaStmt: 'CREATE SCHEMA',
  CreateRoleStmt: 'CREATE ROLE',
  AlterRoleStmt: 'ALTER ROLE',
  DropRoleStmt: 'DROP ROLE',
  CreatePolicyStmt: 'CREATE POLICY',
  AlterPolicyStmt: 'ALTER POLICY',
  CreateEnumStmt: 'CREATE TYPE … AS ENUM',
  AlterEnumStmt: 'ALTER TYPE … ADD VALUE',
  CompositeTypeStmt: 'CREATE TYPE … AS',
  CreateRangeStmt: 'CREATE TYPE … AS RANGE',
  CreateDomainStmt: 'CREATE DOMAIN',
  AlterDomainStmt: 'ALTER DOMAIN',
  DefineStmt: 'CREATE AGGREGATE/OPERATOR/TYPE',
  CreateStatsStmt: 'CREATE STATISTICS',
  AlterStatsStmt: 'ALTER STATISTICS',
  RuleStmt: 'CREATE RULE',
  AlterSeqStmt: 'ALTER SEQUENCE',
  AlterFunctionStmt: 'ALTER FUNCTION',
  CreateCastStmt: 'CREATE CAST',
  CreatePublicationStmt: 'CREATE PUBLICATION',
  AlterPublicationStmt: 'ALTER PUBLICATION',
  CreateSubscriptionStmt: 'CREATE SUBSCRIPTION',
  SecLabelStmt: 'SECURITY LABEL',
  AlterTableSpaceOptionsStmt: 'ALTER TABLESPACE',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  AlterDatabaseSetStmt: 'ALTER DATABASE',
  AlterRoleSetStmt: 'ALTER ROLE … SET',
  AlterSystemStmt: 'ALTER SYSTEM',
  CreateConversionStmt: 'CREATE CONVERSION',
  CreateOpClassStmt: 'CREATE OPERATOR CLASS',
  CreateOpFamilyStmt: 'CREATE OPERATOR FAMILY',
  AlterOperatorStmt: 'ALTER OPERATOR',
  AlterTypeStmt: 'ALTER TYPE',
  AlterCollationStmt: 'ALTER COLLATION',
  CreateTransformStmt: 'CREATE TRANSFORM',
  CreatePLangStmt: 'CREATE LANGUAGE',
  CreateFdwStmt: 'CREATE FOREIGN DATA WRAPPER',
  CreateForeignServerStmt: 'CREATE SERVER',
  CreateUserMappingStmt: 'CREATE USER MAPPING',
  AlterTSDictionaryStmt: 'ALTER TEXT SEARCH DICTIONARY',
  AlterTSConfigurationStmt: 'ALTER TEXT SEARCH CONFIGURATION',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  AlterObjectDependsStmt: 'ALTER … DEPENDS ON EXTENSION',
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
};

/** ALTER TABLE subcommands that change nothing the catalog models. */
const QUIET_SUBCOMMANDS = new Set([
  'AT_ChangeOwner', 'AT_SetStatistics', 'AT_SetStorage', 'AT_SetCompression', 'AT_SetOptions', 'AT_ResetOptions',
  'AT_ClusterOn', 'AT_DropCluster', 'AT_SetLogged', 'AT_SetUnLogged', 'AT_SetRelOptions', 'AT_ResetRelOptions',
  'AT_ReplaceRelOptions', 'AT_EnableTrig', 'AT_EnableAlwaysTrig', 'AT_EnableReplicaTrig', 'AT_DisableTrig',
  'AT_EnableTrigAll', 'AT_DisableTrigAll', 'AT_EnableTrigUser', 'AT_DisableTrigUser', 'AT_EnableRule',
  'AT_EnableAlwaysRule', 'AT_EnableReplicaRule', 'AT_DisableRule', 'AT_EnableRowSecurity', 'AT_DisableRowSecurity',
  'AT_ForceRowSecurity', 'AT_NoForceRowSecurity', 'AT_ReplicaIdentity', 'AT_SetTableSpace', 'AT_SetAccessMethod',
  'AT_GenericOptions', 'AT_AlterColumnGenericOptions', 'AT_AlterConstraint', 'AT_SetIdentity', 'AT_DropIdentity',
  'AT_SetExpression', 'AT_DropExpression', 'AT_DropOids',
]);

/** Collects the notes of one `apply`. */
class Notes {
  readonly notes: ApplyNote[] = [];
  constructor(readonly origin: Origin) {}
  at(location: number | undefined): Origin {
    return { source: this.origin.source, location: location ?? this.origin.location };
  }
  add(kind: NoteKind, message: string, location?: number, name?: string): void {
    const note: ApplyNote = { kind, message, source: this.origin.source, location: location ?? this.origin.location };
    if (name !== undefined) note.name = name;
    this.notes.push(note);
  }
}

export class Catalog {
  tables = new Map<string, Table>();
  /** by qualified index name (`name` in public, `schema.name` elsewhere); includes the indexes of PRIMARY KEY, UNIQUE and EXCLUDE constraints (with `constraint` set) */
  indexes = new Map<string, Index>();
  /** by {@link constraintKey}(table, name) */
  constraints = new Map<string, Constraint>();
  /** views, sequences, and tables whose columns are not known */
  relations = new Map<string, Relation>();

  clone(): Catalog {
    const c = new Catalog();
    for (const [k, t] of this.tables) {
      const columns = new Map<string, Column>();
      for (const [ck, col] of t.columns) columns.set(ck, { ...col });
      c.tables.set(k, { ...t, columns });
    }
    for (const [k, i] of this.indexes) c.indexes.set(k, copyIndex(i));
    for (const [k, con] of this.constraints) c.constraints.set(k, copyConstraint(con));
    for (const [k, r] of this.relations) c.relations.set(k, { ...r, columns: r.columns ? [...r.columns] : undefined });
    return c;
  }

  /** A constraint of a table by name. */
  constraint(table: string, name: string): Constraint | undefined {
    return this.constraints.get(constraintKey(table, name));
  }

  constraintsOf(table: string): Constraint[] {
    return [...this.constraints.values()].filter((c) => c.table === table);
  }

  indexesOf(table: string): Index[] {
    return [...this.indexes.values()].filter((i) => i.table === table);
  }

  /** Is there a table, index, view or sequence of this (qualified) name? */
  hasRelation(name: string): boolean {
    return this.tables.has(name) || this.indexes.has(name) || this.relations.has(name);
  }

  /**
   * Applies one statement (`stmts[i].stmt`, or `stmts[i]` itself). `origin`
   * names the SQL value and the statement's byte offset; the origins recorded
   * for what the statement defines use the defining node's own location when
   * the parser gives one.
   */
  apply(stmt: unknown, origin: Origin): ApplyNote[] {
    const notes = new Notes(origin);
    const n = nodeOf(unwrapStatement(stmt).node);
    if (!n) {
      notes.add('not-modelled', 'not a statement the catalog can read');
      return notes.notes;
    }
    const b = n.body;
    switch (n.tag) {
      case 'CreateStmt':
        this.createTable(b, notes);
        break;
      case 'IndexStmt':
        this.createIndex(b, notes);
        break;
      case 'DropStmt':
        this.drop(b, notes);
        break;
      case 'AlterTableStmt':
        this.alterTable(b, notes);
        break;
      case 'RenameStmt':
        this.rename(b, notes);
        break;
      case 'ViewStmt': {
        const rv = rangeVar(b.view);
        if (!rv) break;
        const existing = this.relations.get(rv.name);
        if (this.hasRelation(rv.name) && !(b.replace === true && existing?.kind === 'view')) {
          notes.add('already-exists', `relation ${rv.name} already exists`, rv.location, rv.name);
          break;
        }
        const aliases = svals(b.aliases);
        this.relations.set(rv.name, {
          name: rv.name,
          kind: 'view',
          columns: aliases.length ? aliases : selectOutputNames(b.query),
          origin: notes.at(rv.location),
        });
        break;
      }
      case 'CreateTableAsStmt': {
        const into = isObject(b.into) ? b.into : undefined;
        const rv = rangeVar(into?.rel);
        if (!rv) break;
        if (this.hasRelation(rv.name)) {
          if (b.if_not_exists !== true) notes.add('already-exists', `relation ${rv.name} already exists`, rv.location, rv.name);
          break;
        }
        const colNames = svals(into?.colNames);
        const kind = b.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
        this.relations.set(rv.name, {
          name: rv.name,
          kind,
          columns: colNames.length ? colNames : selectOutputNames(b.query),
          origin: notes.at(rv.location),
        });
        break;
      }
      case 'CreateSeqStmt': {
        const rv = rangeVar(b.sequence);
        if (!rv) break;
        if (this.hasRelation(rv.name)) {
          if (b.if_not_exists !== true) notes.add('already-exists', `relation ${rv.name} already exists`, rv.location, rv.name);
          break;
        }
        this.relations.set(rv.name, { name: rv.name, kind: 'sequence', origin: notes.at(rv.location) });
        break;
      }
      case 'CreateForeignTableStmt': {
        const base = isObject(b.base) ? b.base : undefined;
        if (base) this.createTable(base, notes);
        break;
      }
      case 'AlterObjectSchemaStmt':
        notes.add('not-modelled', 'moving an object to another schema is not modelled');
        break;
      case 'DoStmt':
        notes.add('not-modelled', 'a DO block is not analysed: what it changes is not modelled');
        break;
      default:
        if (QUIET_STATEMENTS.has(n.tag)) break;
        if (n.tag in IGNORED_STATEMENTS) {
          notes.add('ignored', `${IGNORED_STATEMENTS[n.tag]} does not change tables, columns, indexes or constraints`);
          break;
        }
        notes.add('not-modelled', `${n.tag.replace(/Stmt$/, '')} is not modelled: the catalog may be wrong after it`);
    }
    if (n.tag === 'SelectStmt' && isObject(b.intoClause)) {
      const rv = rangeVar(b.intoClause.rel);
      if (rv && !this.hasRelation(rv.name)) {
        this.relations.set(rv.name, { name: rv.name, kind: 'table', columns: selectOutputNames({ SelectStmt: b }), origin: notes.at(rv.location) });
      }
    }
    return notes.notes;
  }

  // ---- names

  private relationNameTaken(schema: string, name: string): boolean {
    return this.hasRelation(qualify(schema, name));
  }

  private constraintNameTaken(schema: string, name: string): boolean {
    for (const c of this.constraints.values()) if (c.name === name && schemaOf(c.table) === schema) return true;
    return false;
  }

  /** ChooseRelationName: `name1_name2_label`, then `label1`, `label2`… until no relation (and, for a constraint's index, no constraint) has it. */
  private chooseRelationName(table: string, name2: string | undefined, label: string, isConstraint: boolean): string {
    const schema = schemaOf(table);
    const name1 = baseName(table);
    for (let pass = 0; ; pass++) {
      const name = makeObjectName(name1, name2, pass ? `${label}${pass}` : label);
      if (!this.relationNameTaken(schema, name) && !(isConstraint && this.constraintNameTaken(schema, name))) return name;
    }
  }

  /** ChooseConstraintName: same scheme, unique among the schema's constraints. */
  private chooseConstraintName(table: string, name2: string | undefined, label: string): string {
    const schema = schemaOf(table);
    const name1 = baseName(table);
    for (let pass = 0; ; pass++) {
      const name = makeObjectName(name1, name2, pass ? `${label}${pass}` : label);
      if (!this.constraintNameTaken(schema, name)) return name;
    }
  }

  // ---- CREATE TABLE

  private createTable(b: JsonObject, notes: Notes): void {
    const rv = rangeVar(b.relation);
    if (!rv) return;
    if (this.hasRelation(rv.name)) {
      if (b.if_not_exists !== true) notes.add('already-exists', `relation ${rv.name} already exists`, rv.location, rv.name);
      return;
    }
    const table: Table = { name: rv.name, columns: new Map(), origin: notes.at(rv.location) };
    const pending: ConstraintSpec[] = [];
    const partition = b.partbound !== undefined;
    for (const parentNode of list(b.inhRelations)) {
      const parent = rangeVar(parentNode);
      if (!parent) continue;
      const pt = this.tables.get(parent.name);
      if (!pt) {
        notes.add('unknown-table', `table ${parent.name} does not exist`, parent.location, parent.name);
        continue;
      }
      for (const col of pt.columns.values()) {
        if (!table.columns.has(col.name)) table.columns.set(col.name, { ...col, origin: notes.at(parent.location) });
      }
      if (partition) notes.add('not-modelled', `the indexes and constraints partition ${rv.name} inherits from ${parent.name} are not modelled`, rv.location);
    }
    if (b.ofTypename !== undefined) notes.add('not-modelled', `the columns of a typed table (OF type) are not modelled`, rv.location);
    for (const elt of list(b.tableElts)) {
      const e = nodeOf(elt);
      if (!e) continue;
      if (e.tag === 'ColumnDef') {
        this.addColumnDef(table, e.body, notes, pending, false);
      } else if (e.tag === 'Constraint') {
        const spec = constraintSpec(e.body, undefined, notes.origin.location);
        if (spec) pending.push(spec);
        else notes.add('not-modelled', `constraint ${String(e.body.contype)} is not modelled`, locationOf(e.body));
      } else if (e.tag === 'TableLikeClause') {
        this.copyLike(table, e.body, notes);
      }
    }
    this.tables.set(table.name, table);
    this.addConstraints(table, pending, notes);
  }

  private copyLike(table: Table, like: JsonObject, notes: Notes): void {
    const src = rangeVar(like.relation);
    if (!src) return;
    const st = this.tables.get(src.name);
    if (!st) {
      notes.add('unknown-table', `table ${src.name} does not exist`, src.location, src.name);
      return;
    }
    const options = num(like.options) ?? 0;
    const defaults = (options & (1 << 3)) !== 0;
    for (const col of st.columns.values()) {
      const copy: Column = { name: col.name, type: col.type, notNull: col.notNull, origin: notes.at(src.location) };
      if (defaults && col.default !== undefined) copy.default = col.default;
      if ((options & (1 << 4)) !== 0 && col.generated !== undefined) copy.generated = col.generated;
      if ((options & (1 << 5)) !== 0 && col.identity !== undefined) copy.identity = col.identity;
      table.columns.set(col.name, copy);
    }
    if ((options & ((1 << 2) | (1 << 6))) !== 0) {
      notes.add('not-modelled', `LIKE ${src.name}: the constraints and indexes it copies are not modelled`, src.location, src.name);
    }
  }

  /** A column definition (CREATE TABLE, ADD COLUMN); its constraints go to `pending`. Returns false when not added. */
  private addColumnDef(table: Table, cd: JsonObject, notes: Notes, pending: ConstraintSpec[], ifNotExists: boolean): boolean {
    const name = str(cd.colname);
    if (name === undefined) return false;
    const location = locationOf(cd);
    if (table.columns.has(name)) {
      if (!ifNotExists) notes.add('already-exists', `column ${name} of ${table.name} already exists`, location, name);
      return false;
    }
    const serial = isSerialType(cd.typeName);
    const col: Column = { name, type: typeText(cd.typeName), notNull: cd.is_not_null === true, origin: notes.at(location) };
    if (serial) {
      col.notNull = true;
      const seq = this.chooseRelationName(table.name, name, 'seq', false);
      const seqName = qualify(schemaOf(table.name), seq);
      this.relations.set(seqName, { name: seqName, kind: 'sequence', origin: notes.at(location) });
      col.default = `nextval(${quoteLiteral(seqName)}::regclass)`;
    }
    if (cd.raw_default !== undefined) col.default = defaultText(cd.raw_default, col.type);
    for (const cn of list(cd.constraints)) {
      const c = bodyOf(cn, 'Constraint');
      if (!c) continue;
      switch (c.contype) {
        case 'CONSTR_NOTNULL':
          col.notNull = true;
          break;
        case 'CONSTR_NULL':
          col.notNull = false;
          break;
        case 'CONSTR_DEFAULT': {
          const d = defaultText(c.raw_expr, col.type);
          if (d === undefined) delete col.default;
          else col.default = d;
          break;
        }
        case 'CONSTR_IDENTITY':
          col.notNull = true;
          col.identity = c.generated_when === 'a' ? 'always' : 'by default';
          break;
        case 'CONSTR_GENERATED':
          col.generated = exprText(c.raw_expr);
          break;
        default: {
          const spec = constraintSpec(c, name, location ?? notes.origin.location);
          if (spec) pending.push(spec);
        }
      }
    }
    table.columns.set(name, col);
    return true;
  }

  /**
   * The constraints of one CREATE TABLE (or ADD COLUMN), in PostgreSQL's
   * order: CHECKs; then the index constraints, the primary key first, and one
   * of each definition (`id int PRIMARY KEY UNIQUE` or `a int UNIQUE,
   * UNIQUE (a)` make one index: transformIndexConstraints merges them, the
   * first keeping a name given to a later one); then FOREIGN KEYs.
   */
  private addConstraints(table: Table, pending: ConstraintSpec[], notes: Notes): void {
    for (const spec of pending) if (spec.kind === 'check') this.addConstraint(table, spec, notes);
    const indexed = pending.filter((p) => p.kind === 'primary' || p.kind === 'unique' || p.kind === 'exclusion');
    const pk = indexed.find((p) => p.kind === 'primary');
    const kept: ConstraintSpec[] = [];
    for (const spec of pk ? [pk, ...indexed.filter((p) => p !== pk)] : indexed) {
      const prior = kept.find((k) => sameIndexSpec(k, spec));
      if (prior) {
        if (prior.name === undefined) prior.name = spec.name;
        continue;
      }
      kept.push(spec);
    }
    for (const spec of kept) this.addConstraint(table, spec, notes);
    for (const spec of pending) if (spec.kind === 'foreign') this.addConstraint(table, spec, notes);
  }

  private missingColumns(table: Table, columns: string[], notes: Notes, location: number): boolean {
    let missing = false;
    for (const c of columns) {
      if (!table.columns.has(c)) {
        notes.add('unknown-column', `column ${c} of ${table.name} does not exist`, location, c);
        missing = true;
      }
    }
    return missing;
  }

  private addConstraint(table: Table, spec: ConstraintSpec, notes: Notes): void {
    const schema = schemaOf(table.name);
    const origin = notes.at(spec.location);
    if (spec.name !== undefined && this.constraint(table.name, spec.name)) {
      notes.add('already-exists', `constraint ${spec.name} for ${table.name} already exists`, spec.location, spec.name);
      return;
    }
    switch (spec.kind) {
      case 'check': {
        const columns = columnsIn(spec.expr);
        if (this.missingColumns(table, columns, notes, spec.location)) return;
        const name = spec.name ?? this.chooseConstraintName(table.name, columns.length === 1 ? columns[0] : undefined, 'check');
        const c: Constraint = {
          name,
          table: table.name,
          kind: 'check',
          columns,
          validated: !spec.notValid,
          expression: exprText(spec.expr),
          expr: spec.expr,
          origin,
        };
        const nn = notNullColumn(spec.expr);
        if (nn !== undefined) c.notNullOf = nn;
        this.constraints.set(constraintKey(table.name, name), c);
        return;
      }
      case 'foreign': {
        if (this.missingColumns(table, spec.keys, notes, spec.location)) return;
        const pk = spec.pktable;
        if (!pk) return;
        let refColumns = spec.pkAttrs ?? [];
        const refTable = pk.name === table.name ? table : this.tables.get(pk.name);
        if (!refTable) {
          notes.add('unknown-table', `table ${pk.name} (referenced by a foreign key of ${table.name}) does not exist`, pk.location, pk.name);
        } else if (!refColumns.length) {
          const refPk = this.constraintsOf(refTable.name).find((c) => c.kind === 'primary');
          if (refPk) refColumns = [...refPk.columns];
          else notes.add('unknown-constraint', `table ${pk.name} has no primary key for the foreign key to reference`, pk.location, pk.name);
        } else {
          this.missingColumns(refTable, refColumns, notes, pk.location);
        }
        const name = spec.name ?? this.chooseConstraintName(table.name, indexNameAddition(spec.keys), 'fkey');
        this.constraints.set(constraintKey(table.name, name), {
          name,
          table: table.name,
          kind: 'foreign',
          columns: [...spec.keys],
          validated: !spec.notValid,
          references: { table: pk.name, columns: refColumns },
          actions: spec.actions || undefined,
          origin,
        });
        return;
      }
      default: {
        if (spec.kind === 'primary' && this.constraintsOf(table.name).some((c) => c.kind === 'primary')) {
          notes.add('already-exists', `multiple primary keys for table ${table.name} are not allowed`, spec.location);
          return;
        }
        if (spec.indexName !== undefined) {
          this.constraintUsingIndex(table, spec, notes);
          return;
        }
        if (spec.kind !== 'exclusion' && this.missingColumns(table, [...spec.keys, ...spec.include], notes, spec.location)) return;
        const label = spec.kind === 'primary' ? 'pkey' : spec.kind === 'unique' ? 'key' : 'excl';
        const elements: IndexElement[] = spec.exclusionElems
          ? spec.exclusionElems.map((e) => e.elem)
          : spec.keys.map((k) => ({ column: k }));
        const nameParts = [...elements.map(elementNamePart), ...spec.include];
        const name = spec.name ?? this.chooseRelationName(table.name, spec.kind === 'primary' ? undefined : indexNameAddition(nameParts), label, true);
        const indexName = qualify(schema, name);
        if (this.relationNameTaken(schema, name)) {
          notes.add('already-exists', `relation ${indexName} already exists`, spec.location, name);
          return;
        }
        const c: Constraint = {
          name,
          table: table.name,
          kind: spec.kind,
          columns: [...spec.keys],
          validated: true,
          index: indexName,
          origin,
        };
        if (spec.include.length) c.include = [...spec.include];
        if (spec.exclusionElems) {
          c.operators = spec.exclusionElems.map((e) => e.op);
          c.exclusion = exclusionText(spec.accessMethod ?? 'btree', elements, c.operators);
        }
        if (spec.kind === 'primary') for (const k of spec.keys) table.columns.get(k)!.notNull = true;
        this.constraints.set(constraintKey(table.name, name), c);
        const index: Index = {
          name: indexName,
          table: table.name,
          columns: elements.map(elementText),
          unique: spec.kind !== 'exclusion',
          method: spec.accessMethod ?? 'btree',
          constraint: name,
          elements,
          origin,
        };
        if (spec.include.length) index.include = [...spec.include];
        this.indexes.set(indexName, index);
      }
    }
  }

  /** `ADD [CONSTRAINT c] PRIMARY KEY | UNIQUE USING INDEX i`: the index becomes the constraint's (renamed to `c` when given). */
  private constraintUsingIndex(table: Table, spec: ConstraintSpec, notes: Notes): void {
    const schema = schemaOf(table.name);
    const indexKey = qualify(schema, spec.indexName!);
    const index = this.indexes.get(indexKey);
    if (!index || index.table !== table.name) {
      notes.add('unknown-index', `index ${spec.indexName} does not exist on ${table.name}`, spec.location, spec.indexName);
      return;
    }
    if (index.constraint !== undefined) {
      notes.add('already-exists', `index ${spec.indexName} already belongs to constraint ${index.constraint}`, spec.location, spec.indexName);
      return;
    }
    if (!index.unique || index.where !== undefined || index.elements?.some((e) => e.column === undefined)) {
      notes.add('not-modelled', `index ${spec.indexName} is not a plain unique index: PostgreSQL refuses it for a constraint`, spec.location, spec.indexName);
      return;
    }
    const name = spec.name ?? baseName(index.name);
    const newKey = qualify(schema, name);
    if (newKey !== indexKey && this.relationNameTaken(schema, name)) {
      notes.add('already-exists', `relation ${newKey} already exists`, spec.location, name);
      return;
    }
    this.indexes.delete(indexKey);
    index.name = newKey;
    index.constraint = name;
    this.indexes.set(newKey, index);
    const c: Constraint = {
      name,
      table: table.name,
      kind: spec.kind,
      columns: [...index.columns],
      validated: true,
      index: newKey,
      origin: notes.at(spec.location),
    };
    if (index.include?.length) c.include = [...index.include];
    if (spec.kind === 'primary') for (const k of index.columns) {
      const col = table.columns.get(k);
      if (col) col.notNull = true;
    }
    this.constraints.set(constraintKey(table.name, name), c);
  }

  // ---- CREATE INDEX

  private createIndex(b: JsonObject, notes: Notes): void {
    const rv = rangeVar(b.relation);
    if (!rv) return;
    const table = this.tables.get(rv.name);
    if (!table) {
      if (this.relations.has(rv.name)) notes.add('not-modelled', `indexes on ${rv.name} are not modelled`, rv.location, rv.name);
      else notes.add('unknown-table', `table ${rv.name} does not exist`, rv.location, rv.name);
      return;
    }
    const elements: IndexElement[] = [];
    for (const p of list(b.indexParams)) {
      const e = indexElement(p);
      if (e) elements.push(e);
    }
    const include: string[] = [];
    for (const p of list(b.indexIncludingParams)) {
      const e = indexElement(p);
      if (e?.column !== undefined) include.push(e.column);
    }
    const read = [...elementColumns(elements), ...include];
    if (b.whereClause !== undefined) columnsIn(b.whereClause, read);
    if (this.missingColumns(table, read, notes, rv.location)) return;
    const schema = schemaOf(table.name);
    const given = str(b.idxname);
    const name = given ?? this.chooseRelationName(table.name, indexNameAddition([...elements.map(elementNamePart), ...include]), b.primary === true ? 'pkey' : 'idx', false);
    const key = qualify(schema, name);
    if (this.relationNameTaken(schema, name)) {
      if (b.if_not_exists !== true) notes.add('already-exists', `relation ${key} already exists`, notes.origin.location, name);
      return;
    }
    const index: Index = {
      name: key,
      table: table.name,
      columns: elements.map(elementText),
      unique: b.unique === true,
      method: str(b.accessMethod) ?? 'btree',
      elements,
      // CREATE INDEX has no location of its own: its table's name, on the statement's line (stmt_location may be the line before)
      origin: notes.at(rv.location),
    };
    if (include.length) index.include = include;
    if (b.whereClause !== undefined) {
      index.whereExpr = b.whereClause;
      index.where = exprText(b.whereClause);
    }
    this.indexes.set(key, index);
  }

  // ---- DROP

  private drop(b: JsonObject, notes: Notes): void {
    const type = str(b.removeType) ?? '';
    const cascade = b.behavior === 'DROP_CASCADE';
    const missingOk = b.missing_ok === true;
    const relationKinds: Record<string, Relation['kind']> = {
      OBJECT_VIEW: 'view',
      OBJECT_MATVIEW: 'materialized view',
      OBJECT_SEQUENCE: 'sequence',
    };
    if (type !== 'OBJECT_TABLE' && type !== 'OBJECT_INDEX' && type !== 'OBJECT_FOREIGN_TABLE' && !relationKinds[type]) {
      if (type === 'OBJECT_SCHEMA' && cascade) notes.add('not-modelled', 'DROP SCHEMA … CASCADE: the tables it drops are not modelled');
      else if (type !== 'OBJECT_SCHEMA') notes.add('ignored', `DROP ${type.replace(/^OBJECT_/, '').replace(/_/g, ' ')} does not change tables, columns, indexes or constraints`);
      return;
    }
    for (const obj of list(b.objects)) {
      const name = qualifiedName(svals(bodyOf(obj, 'List')?.items ?? obj));
      if (!name) continue;
      if (type === 'OBJECT_TABLE' || type === 'OBJECT_FOREIGN_TABLE') {
        if (this.tables.has(name)) this.dropTable(name, cascade, notes);
        else if (this.relations.get(name)?.kind === 'table' || (type === 'OBJECT_FOREIGN_TABLE' && this.relations.has(name))) this.relations.delete(name);
        else if (!missingOk) notes.add('unknown-table', `table ${name} does not exist`, undefined, name);
      } else if (type === 'OBJECT_INDEX') {
        const index = this.indexes.get(name);
        if (!index) {
          if (!missingOk) notes.add('unknown-index', `index ${name} does not exist`, undefined, name);
        } else if (index.constraint !== undefined) {
          notes.add('has-dependents', `cannot drop index ${name}: constraint ${index.constraint} on ${index.table} requires it (drop the constraint)`, undefined, name);
        } else this.indexes.delete(name);
      } else {
        const r = this.relations.get(name);
        if (r && r.kind === relationKinds[type]) this.relations.delete(name);
        else if (!missingOk) notes.add('unknown-table', `${relationKinds[type]} ${name} does not exist`, undefined, name);
      }
    }
  }

  /** Foreign keys of other tables that reference these columns of `table` (all its columns when omitted). */
  private referencingKeys(table: string, columns?: string[]): Constraint[] {
    return [...this.constraints.values()].filter(
      (c) => c.kind === 'foreign' && c.table !== table && c.references?.table === table
        && (!columns || c.references.columns.some((col) => columns.includes(col))),
    );
  }

  private removeConstraint(c: Constraint): void {
    this.constraints.delete(constraintKey(c.table, c.name));
    if (c.index !== undefined) this.indexes.delete(c.index);
  }

  private dropTable(name: string, cascade: boolean, notes: Notes): void {
    const refs = this.referencingKeys(name);
    if (refs.length && !cascade) {
      notes.add('has-dependents', `cannot drop table ${name}: ${refs.map((c) => `${c.name} on ${c.table}`).join(', ')} depends on it (use CASCADE)`, undefined, name);
      return;
    }
    for (const c of refs) this.removeConstraint(c);
    this.tables.delete(name);
    for (const c of this.constraintsOf(name)) this.removeConstraint(c);
    for (const [k, i] of this.indexes) if (i.table === name) this.indexes.delete(k);
  }

  // ---- ALTER TABLE

  private alterTable(b: JsonObject, notes: Notes): void {
    const objtype = str(b.objtype) ?? 'OBJECT_TABLE';
    if (objtype !== 'OBJECT_TABLE' && objtype !== 'OBJECT_FOREIGN_TABLE') return;
    const rv = rangeVar(b.relation);
    if (!rv) return;
    const table = this.tables.get(rv.name);
    if (!table) {
      if (this.relations.has(rv.name)) notes.add('not-modelled', `the columns of ${rv.name} are not known: ALTER TABLE on it is not modelled`, rv.location, rv.name);
      else if (b.missing_ok !== true) notes.add('unknown-table', `table ${rv.name} does not exist`, rv.location, rv.name);
      return;
    }
    for (const cmdNode of list(b.cmds)) {
      const cmd = bodyOf(cmdNode, 'AlterTableCmd');
      if (cmd) this.alterTableCmd(table, cmd, notes, rv.location);
    }
  }

  private alterTableCmd(table: Table, cmd: JsonObject, notes: Notes, relLocation: number): void {
    const subtype = str(cmd.subtype) ?? '';
    const name = str(cmd.name);
    const missingOk = cmd.missing_ok === true;
    const cascade = cmd.behavior === 'DROP_CASCADE';
    const column = (): Column | undefined => {
      const col = name !== undefined ? table.columns.get(name) : undefined;
      if (!col) notes.add('unknown-column', `column ${name ?? '?'} of ${table.name} does not exist`, relLocation, name);
      return col;
    };
    switch (subtype) {
      case 'AT_AddColumn': {
        const cd = bodyOf(cmd.def, 'ColumnDef');
        if (!cd) return;
        const pending: ConstraintSpec[] = [];
        if (this.addColumnDef(table, cd, notes, pending, missingOk)) this.addConstraints(table, pending, notes);
        return;
      }
      case 'AT_DropColumn': {
        if (name === undefined) return;
        if (!table.columns.has(name)) {
          if (!missingOk) notes.add('unknown-column', `column ${name} of ${table.name} does not exist`, relLocation, name);
          return;
        }
        const refs = this.referencingKeys(table.name, [name]);
        if (refs.length && !cascade) {
          notes.add('has-dependents', `cannot drop column ${name} of ${table.name}: ${refs.map((c) => `${c.name} on ${c.table}`).join(', ')} depends on it (use CASCADE)`, relLocation, name);
          return;
        }
        for (const c of refs) this.removeConstraint(c);
        for (const c of this.constraintsOf(table.name)) {
          if (c.columns.includes(name) || c.include?.includes(name)) this.removeConstraint(c);
        }
        for (const [k, i] of this.indexes) {
          if (i.table !== table.name) continue;
          const read = [...elementColumns(i.elements ?? i.columns.map((c) => ({ column: c }))), ...(i.include ?? [])];
          if (i.whereExpr !== undefined) columnsIn(i.whereExpr, read);
          if (read.includes(name)) this.indexes.delete(k);
        }
        table.columns.delete(name);
        return;
      }
      case 'AT_AlterColumnType': {
        const col = column();
        const cd = bodyOf(cmd.def, 'ColumnDef');
        if (col && cd) col.type = typeText(cd.typeName);
        return;
      }
      case 'AT_SetNotNull': {
        const col = column();
        if (col) col.notNull = true;
        return;
      }
      case 'AT_DropNotNull': {
        const col = column();
        if (!col) return;
        const pk = this.constraintsOf(table.name).find((c) => c.kind === 'primary' && c.columns.includes(col.name));
        if (pk) {
          notes.add('has-dependents', `column ${col.name} is in primary key ${pk.name}: its NOT NULL cannot be dropped`, relLocation, col.name);
          return;
        }
        if (col.identity !== undefined) {
          notes.add('has-dependents', `column ${col.name} is an identity column: its NOT NULL cannot be dropped`, relLocation, col.name);
          return;
        }
        col.notNull = false;
        return;
      }
      case 'AT_ColumnDefault':
      case 'AT_CookedColumnDefault': {
        const col = column();
        if (!col) return;
        const d = cmd.def !== undefined ? defaultText(cmd.def, col.type) : undefined;
        if (d === undefined) delete col.default;
        else col.default = d;
        return;
      }
      case 'AT_AddIdentity': {
        const col = column();
        const c = bodyOf(cmd.def, 'Constraint');
        if (col) {
          col.notNull = true;
          col.identity = c?.generated_when === 'a' ? 'always' : 'by default';
        }
        return;
      }
      case 'AT_DropIdentity': {
        const col = column();
        if (col) delete col.identity;
        return;
      }
      case 'AT_AddConstraint': {
        const c = bodyOf(cmd.def, 'Constraint');
        if (!c) return;
        const spec = constraintSpec(c, undefined, relLocation);
        if (spec) this.addConstraint(table, spec, notes);
        else notes.add('not-modelled', `constraint ${String(c.contype)} is not modelled`, locationOf(c) ?? relLocation);
        return;
      }
      case 'AT_ValidateConstraint': {
        const c = name !== undefined ? this.constraint(table.name, name) : undefined;
        if (!c) notes.add('unknown-constraint', `constraint ${name ?? '?'} of ${table.name} does not exist`, relLocation, name);
        else c.validated = true;
        return;
      }
      case 'AT_DropConstraint': {
        const c = name !== undefined ? this.constraint(table.name, name) : undefined;
        if (!c) {
          if (!missingOk) notes.add('unknown-constraint', `constraint ${name ?? '?'} of ${table.name} does not exist`, relLocation, name);
          return;
        }
        if (c.kind === 'primary' || c.kind === 'unique') {
          const refs = this.referencingKeys(table.name).filter(
            (fk) => fk.references!.columns.length === c.columns.length && fk.references!.columns.every((col) => c.columns.includes(col)),
          );
          if (refs.length && !cascade) {
            notes.add('has-dependents', `cannot drop constraint ${c.name}: ${refs.map((r) => `${r.name} on ${r.table}`).join(', ')} depends on it (use CASCADE)`, relLocation, c.name);
            return;
          }
          for (const r of refs) this.removeConstraint(r);
        }
        this.removeConstraint(c);
        return;
      }
      case 'AT_AttachPartition':
      case 'AT_DetachPartition':
      case 'AT_DetachPartitionFinalize':
      case 'AT_AddInherit':
      case 'AT_DropInherit':
      case 'AT_AddOf':
      case 'AT_DropOf':
        notes.add('not-modelled', `${subtype.replace(/^AT_/, '')} is not modelled`, relLocation);
        return;
      default:
        if (QUIET_SUBCOMMANDS.has(subtype)) return;
        notes.add('not-modelled', `ALTER TABLE ${subtype.replace(/^AT_/, '')} is not modelled`, relLocation);
    }
  }

  // ---- RENAME

  private rename(b: JsonObject, notes: Notes): void {
    const type = str(b.renameType) ?? '';
    const rv = rangeVar(b.relation);
    const newname = str(b.newname);
    const missingOk = b.missing_ok === true;
    if (!rv || newname === undefined) {
      if (!['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE'].includes(type)) {
        notes.add('ignored', `renaming a ${type.replace(/^OBJECT_/, '').toLowerCase()} does not change tables, columns, indexes or constraints`);
      }
      return;
    }
    const schema = schemaOf(rv.name);
    const newKey = qualify(schema, newname);
    switch (type) {
      case 'OBJECT_TABLE':
      case 'OBJECT_FOREIGN_TABLE':
      case 'OBJECT_INDEX':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_SEQUENCE': {
        if (!this.hasRelation(rv.name)) {
          if (!missingOk) notes.add(type === 'OBJECT_INDEX' ? 'unknown-index' : 'unknown-table', `relation ${rv.name} does not exist`, rv.location, rv.name);
          return;
        }
        if (this.hasRelation(newKey)) {
          notes.add('already-exists', `relation ${newKey} already exists`, rv.location, newname);
          return;
        }
        if (this.tables.has(rv.name)) this.renameTable(rv.name, newKey);
        else if (this.indexes.has(rv.name)) this.renameIndex(rv.name, newKey);
        else {
          const r = this.relations.get(rv.name)!;
          this.relations.delete(rv.name);
          r.name = newKey;
          this.relations.set(newKey, r);
        }
        return;
      }
      case 'OBJECT_COLUMN': {
        if (b.relationType !== undefined && b.relationType !== 'OBJECT_TABLE' && b.relationType !== 'OBJECT_FOREIGN_TABLE') return;
        const table = this.tables.get(rv.name);
        const sub = str(b.subname) ?? '';
        if (!table) {
          if (this.relations.has(rv.name)) notes.add('not-modelled', `the columns of ${rv.name} are not known`, rv.location, rv.name);
          else if (!missingOk) notes.add('unknown-table', `table ${rv.name} does not exist`, rv.location, rv.name);
          return;
        }
        if (!table.columns.has(sub)) {
          notes.add('unknown-column', `column ${sub} of ${table.name} does not exist`, rv.location, sub);
          return;
        }
        if (table.columns.has(newname)) {
          notes.add('already-exists', `column ${newname} of ${table.name} already exists`, rv.location, newname);
          return;
        }
        this.renameColumn(table, sub, newname);
        return;
      }
      case 'OBJECT_TABCONSTRAINT': {
        const table = this.tables.get(rv.name);
        const sub = str(b.subname) ?? '';
        if (!table) {
          if (!missingOk) notes.add('unknown-table', `table ${rv.name} does not exist`, rv.location, rv.name);
          return;
        }
        const c = this.constraint(table.name, sub);
        if (!c) {
          notes.add('unknown-constraint', `constraint ${sub} of ${table.name} does not exist`, rv.location, sub);
          return;
        }
        if (this.constraint(table.name, newname) || (c.index !== undefined && this.hasRelation(newKey))) {
          notes.add('already-exists', `${c.index !== undefined ? 'relation' : 'constraint'} ${newname} already exists`, rv.location, newname);
          return;
        }
        if (c.index !== undefined) this.renameIndex(c.index, newKey);
        else {
          this.constraints.delete(constraintKey(table.name, c.name));
          c.name = newname;
          this.constraints.set(constraintKey(table.name, newname), c);
        }
        return;
      }
      default:
        notes.add('ignored', `renaming a ${type.replace(/^OBJECT_/, '').toLowerCase()} does not change tables, columns, indexes or constraints`);
    }
  }

  private renameTable(from: string, to: string): void {
    const table = this.tables.get(from)!;
    this.tables.delete(from);
    table.name = to;
    this.tables.set(to, table);
    for (const i of this.indexes.values()) if (i.table === from) i.table = to;
    for (const c of [...this.constraints.values()]) {
      if (c.references?.table === from) c.references.table = to;
      if (c.table === from) {
        this.constraints.delete(constraintKey(from, c.name));
        c.table = to;
        this.constraints.set(constraintKey(to, c.name), c);
      }
    }
  }

  /** Renames an index, and the constraint it belongs to (PostgreSQL keeps them the same). */
  private renameIndex(from: string, to: string): void {
    const index = this.indexes.get(from)!;
    this.indexes.delete(from);
    index.name = to;
    this.indexes.set(to, index);
    if (index.constraint !== undefined) {
      const c = this.constraint(index.table, index.constraint);
      const bare = baseName(to);
      if (c) {
        this.constraints.delete(constraintKey(c.table, c.name));
        c.name = bare;
        c.index = to;
        this.constraints.set(constraintKey(c.table, bare), c);
      }
      index.constraint = bare;
    }
  }

  private renameColumn(table: Table, from: string, to: string): void {
    const columns = new Map<string, Column>();
    for (const [k, col] of table.columns) {
      if (k === from) {
        col.name = to;
        columns.set(to, col);
      } else columns.set(k, col);
    }
    table.columns = columns;
    const swap = (l: string[]): string[] => l.map((c) => (c === from ? to : c));
    for (const i of this.indexes.values()) {
      if (i.table !== table.name) continue;
      if (i.elements) {
        i.elements = i.elements.map((e) =>
          e.column === from ? { ...e, column: to } : e.expr !== undefined ? { ...e, expr: renameColumnRefs(e.expr, from, to) } : e,
        );
        i.columns = i.elements.map(elementText);
      } else i.columns = swap(i.columns);
      if (i.include) i.include = swap(i.include);
      if (i.whereExpr !== undefined) {
        i.whereExpr = renameColumnRefs(i.whereExpr, from, to);
        i.where = exprText(i.whereExpr);
      }
    }
    for (const c of this.constraints.values()) {
      if (c.references?.table === table.name) c.references.columns = swap(c.references.columns);
      if (c.table !== table.name) continue;
      c.columns = swap(c.columns);
      if (c.include) c.include = swap(c.include);
      if (c.notNullOf === from) c.notNullOf = to;
      if (c.expr !== undefined) {
        c.expr = renameColumnRefs(c.expr, from, to);
        c.expression = exprText(c.expr);
      }
      if (c.kind === 'exclusion') {
        const index = c.index !== undefined ? this.indexes.get(c.index) : undefined;
        if (index?.elements) {
          c.columns = [...index.columns];
          c.exclusion = exclusionText(index.method ?? 'btree', index.elements, c.operators ?? []);
        }
      }
    }
  }
}

/** `col IS NOT NULL` (or `tab.col IS NOT NULL`) → col. */
function notNullColumn(expr: unknown): string | undefined {
  const t = bodyOf(expr, 'NullTest');
  if (!t || t.nulltesttype !== 'IS_NOT_NULL' || t.argisrow === true) return undefined;
  const ref = bodyOf(t.arg, 'ColumnRef');
  if (!ref) return undefined;
  const fields = list(ref.fields);
  return fields.length <= 2 ? sval(fields[fields.length - 1]) : undefined;
}

/** Output column names of a query, when all can be told (no `*`, no name PostgreSQL would make up). */
export function selectOutputNames(query: unknown): string[] | undefined {
  const sel = bodyOf(query, 'SelectStmt');
  if (!sel) return undefined;
  if (sel.op !== undefined && sel.op !== 'SETOP_NONE') return selectOutputNames(sel.larg);
  const values = list(sel.valuesLists);
  if (values.length) {
    const first = list(bodyOf(values[0], 'List')?.items);
    return first.map((_, i) => `column${i + 1}`);
  }
  const names: string[] = [];
  for (const t of list(sel.targetList)) {
    const rt = bodyOf(t, 'ResTarget');
    if (!rt) return undefined;
    const ref = bodyOf(rt.val, 'ColumnRef');
    if (ref && list(ref.fields).some((f) => bodyOf(f, 'A_Star'))) return undefined;
    const name = str(rt.name) ?? figureColname(rt.val);
    if (name === undefined) return undefined;
    names.push(name);
  }
  return names;
}

/**
 * Applies statements in order (`parse(...).stmts`, or bare statement nodes)
 * to a new catalog. Each statement's origin is its `stmt_location`.
 */
export function catalogOf(stmts: readonly unknown[], source: string): { catalog: Catalog; notes: ApplyNote[] } {
  const catalog = new Catalog();
  const notes: ApplyNote[] = [];
  for (const s of stmts) {
    const { node, location } = unwrapStatement(s);
    notes.push(...catalog.apply(node, { source, location: location ?? 0 }));
  }
  return { catalog, notes };
}

// ---------------------------------------------------------------------------
// Differences

export interface Difference {
  kind:
    | 'missing-table' | 'extra-table'
    | 'missing-column' | 'extra-column' | 'column-type' | 'column-null' | 'column-default'
    | 'missing-index' | 'extra-index' | 'index-definition'
    | 'missing-constraint' | 'extra-constraint' | 'constraint-definition';
  table: string;
  name?: string;
  expected?: string;
  actual?: string;
  /** where the target declares it (for missing/different), or where the actual defines it (for extra) */
  origin?: Origin;
}

function withOrigin(d: Difference, origin: Origin | undefined): Difference {
  if (origin) d.origin = origin;
  return d;
}

/**
 * Pairs two sets of named things of the tables both catalogs have: by name
 * first (a different definition is a `*-definition` difference), then what
 * is left by definition (the same definition under another name is one
 * `*-definition` difference whose expected and actual texts carry the two
 * names); the rest is missing (in the target only) or extra (in the actual
 * only).
 */
function pairUp<T extends { name: string; table: string; origin?: Origin }>(
  actual: T[],
  target: T[],
  key: (x: T) => string,
  definition: (x: T) => string,
  kinds: { missing: Difference['kind']; extra: Difference['kind']; different: Difference['kind'] },
  out: Difference[],
): void {
  const actualByKey = new Map(actual.map((a) => [key(a), a]));
  const matched = new Set<T>();
  const leftover: T[] = [];
  for (const t of target) {
    const a = actualByKey.get(key(t));
    if (!a) {
      leftover.push(t);
      continue;
    }
    matched.add(a);
    const e = definition(t);
    const g = definition(a);
    if (e !== g) out.push(withOrigin({ kind: kinds.different, table: t.table, name: t.name, expected: e, actual: g }, t.origin));
  }
  for (const t of leftover) {
    const e = definition(t);
    const a = actual.find((x) => !matched.has(x) && x.table === t.table && definition(x) === e);
    if (a) {
      matched.add(a);
      out.push(withOrigin({ kind: kinds.different, table: t.table, name: t.name, expected: `${t.name} ${e}`, actual: `${a.name} ${definition(a)}` }, t.origin));
    } else out.push(withOrigin({ kind: kinds.missing, table: t.table, name: t.name, expected: e }, t.origin));
  }
  for (const a of actual) {
    if (!matched.has(a)) out.push(withOrigin({ kind: kinds.extra, table: a.table, name: a.name, actual: definition(a) }, a.origin));
  }
}

/**
 * What `actual` lacks or has in excess compared with `target`: tables;
 * columns of the tables both have (type, nullability, default; order is not
 * compared); indexes that belong to no constraint (by name, then by
 * definition — see {@link pairUp}); constraints (by table and name, then by
 * definition: kind, columns, referenced table and columns with actions, the
 * CHECK's normalized expression, NOT VALID). Indexes and constraints of a
 * missing or extra table are not listed again. Views and sequences are not
 * compared.
 */
export function catalogDiff(actual: Catalog, target: Catalog): Difference[] {
  const out: Difference[] = [];
  const common = new Set<string>();
  for (const [name, t] of target.tables) {
    const a = actual.tables.get(name);
    if (!a) {
      out.push(withOrigin({ kind: 'missing-table', table: name, name }, t.origin));
      continue;
    }
    common.add(name);
    for (const [cname, tc] of t.columns) {
      const ac = a.columns.get(cname);
      if (!ac) {
        out.push(withOrigin({ kind: 'missing-column', table: name, name: cname, expected: tc.type }, tc.origin));
        continue;
      }
      if (ac.type !== tc.type) out.push(withOrigin({ kind: 'column-type', table: name, name: cname, expected: tc.type, actual: ac.type }, tc.origin));
      if (ac.notNull !== tc.notNull) {
        out.push(withOrigin({ kind: 'column-null', table: name, name: cname, expected: tc.notNull ? 'NOT NULL' : 'NULL', actual: ac.notNull ? 'NOT NULL' : 'NULL' }, tc.origin));
      }
      if ((ac.default ?? '') !== (tc.default ?? '')) {
        const d: Difference = { kind: 'column-default', table: name, name: cname };
        if (tc.default !== undefined) d.expected = tc.default;
        if (ac.default !== undefined) d.actual = ac.default;
        out.push(withOrigin(d, tc.origin));
      }
    }
    for (const [cname, ac] of a.columns) {
      if (!t.columns.has(cname)) out.push(withOrigin({ kind: 'extra-column', table: name, name: cname, actual: ac.type }, ac.origin));
    }
  }
  for (const [name, a] of actual.tables) {
    if (!target.tables.has(name)) out.push(withOrigin({ kind: 'extra-table', table: name, name }, a.origin));
  }
  const inCommon = (x: { table: string }): boolean => common.has(x.table);
  const plainIndexes = (c: Catalog): Index[] => [...c.indexes.values()].filter((i) => i.constraint === undefined && inCommon(i));
  pairUp(plainIndexes(actual), plainIndexes(target), (i) => i.name, indexDefinition,
    { missing: 'missing-index', extra: 'extra-index', different: 'index-definition' }, out);
  const constraints = (c: Catalog): Constraint[] => [...c.constraints.values()].filter(inCommon);
  pairUp(constraints(actual), constraints(target), (c) => constraintKey(c.table, c.name), constraintDefinition,
    { missing: 'missing-constraint', extra: 'extra-constraint', different: 'constraint-definition' }, out);
  return out;
}
