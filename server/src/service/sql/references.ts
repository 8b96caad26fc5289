/**
 * Which tables and columns a statement uses, read from PostgreSQL's parse
 * tree (the JSON AST of `libpg-query`), and which of them do not exist in a
 * {@link Catalog}.
 *
 * Columns are resolved the way PostgreSQL does: a qualified name by its
 * alias or table name, innermost query level first; an unqualified one
 * against every FROM item of its level, then the levels around it
 * (correlated subqueries). CTE names, subquery and function aliases,
 * `excluded` in ON CONFLICT, output column names in ORDER BY / GROUP BY /
 * DISTINCT ON, whole-row references, system columns (`ctid`, `xmin`…) and
 * the system catalogs (`information_schema.*`, `pg_catalog.*`, unqualified
 * `pg_*`) are understood. When resolution is ambiguous or needs something
 * that is not known (a table missing from the catalog, a view's columns, a
 * function's output columns), nothing is reported for that name: a linter
 * must not cry wolf.
 *
 * Locations are byte offsets into the UTF-8 of the SQL text that was parsed.
 * The parser gives none for some names (DROP TABLE's tables, ALTER TABLE's
 * column names, key column lists, JOIN … USING): with the SQL text
 * (`options.sql`) they are found by scanning its tokens; without it the
 * nearest located node (or the statement's start) stands in.
 */

import {
  bodyOf,
  Catalog,
  figureColname,
  isObject,
  list,
  locationOf,
  locationOr0,
  nodeOf,
  num,
  rangeVar,
  RangeVarInfo,
  str,
  sval,
  svals,
  unwrapStatement,
  JsonObject,
  qualifiedName,
  qualify,
} from './catalog';

export interface NameUse {
  kind: 'table' | 'column';
  /** a table: `name`, or `schema.name` outside public; a column: its name */
  name: string;
  /** for a column: the table it belongs to, when it can be resolved (alias, single table in FROM, qualified name) */
  table?: string;
  /** byte offset in the SQL text */
  location: number;
  /** false when the name is being created or written by the statement (CREATE TABLE x, ADD COLUMN c, RENAME … TO new); INSERT and UPDATE target columns, DROP COLUMN c count as used */
  used: boolean;
  /** the statement writes it: INSERT / UPDATE / MERGE target columns and tables, DELETE / TRUNCATE / DROP targets, ALTER TABLE's column changes */
  write?: boolean;
  /** IF EXISTS: its absence is not an error */
  ifExists?: boolean;
  /** bytes of the name as written (quotes and schema included), when the SQL text was given */
  length?: number;
}

export interface NameOptions {
  /** the SQL text the AST was parsed from: locates names the parser gives no location for */
  sql?: string;
  /** the statement's byte offset in `sql` (taken from `stmts[i].stmt_location` when `stmts[i]` is passed) */
  stmtLocation?: number;
  /** the statement's length in bytes (`stmt_len`) */
  stmtLength?: number;
  /** resolves unqualified columns of multi-table queries (nameUses only) */
  catalog?: Catalog;
}

// ---------------------------------------------------------------------------
// Tokens (to locate names the AST gives no location for)

interface Token {
  kind: 'ident' | 'punct' | 'other';
  start: number;
  end: number;
  /** identifiers: lower-cased (unquoted) or unescaped (quoted); punctuation: the character */
  value: string;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
}

function isIdentCont(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
}

/** PostgreSQL's scanner, reduced to what finding names needs. */
function lex(b: Uint8Array, from: number, to: number): Token[] {
  const out: Token[] = [];
  let i = from;
  const skipQuoted = (start: number, quote: number, backslash: boolean): number => {
    let j = start + 1;
    while (j < to) {
      if (backslash && b[j] === 0x5c) {
        j += 2;
        continue;
      }
      if (b[j] === quote) {
        if (b[j + 1] === quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return to;
  };
  while (i < to) {
    const c = b[i];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c) {
      i++;
    } else if (c === 0x2d && b[i + 1] === 0x2d) {
      while (i < to && b[i] !== 0x0a) i++;
    } else if (c === 0x2f && b[i + 1] === 0x2a) {
      let depth = 1;
      i += 2;
      while (i < to && depth > 0) {
        if (b[i] === 0x2f && b[i + 1] === 0x2a) {
          depth++;
          i += 2;
        } else if (b[i] === 0x2a && b[i + 1] === 0x2f) {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === 0x27) {
      const end = skipQuoted(i, 0x27, false);
      out.push({ kind: 'other', start: i, end, value: "'" });
      i = end;
    } else if ((c === 0x45 || c === 0x65) && b[i + 1] === 0x27) {
      const end = skipQuoted(i + 1, 0x27, true);
      out.push({ kind: 'other', start: i, end, value: "'" });
      i = end;
    } else if (c === 0x22) {
      const end = skipQuoted(i, 0x22, false);
      const value = decoder.decode(b.subarray(i + 1, Math.max(i + 1, end - 1))).replace(/""/g, '"');
      out.push({ kind: 'ident', start: i, end, value });
      i = end;
    } else if (c === 0x24) {
      let j = i + 1;
      if (b[j] >= 0x30 && b[j] <= 0x39) {
        while (j < to && b[j] >= 0x30 && b[j] <= 0x39) j++;
        out.push({ kind: 'other', start: i, end: j, value: '$' });
        i = j;
        continue;
      }
      while (j < to && isIdentCont(b[j]) && b[j] !== 0x24) j++;
      if (b[j] === 0x24) {
        // dollar quote: $tag$ … $tag$
        const tag = b.subarray(i, j + 1);
        let k = j + 1;
        let end = to;
        while (k < to) {
          if (b[k] === 0x24 && tag.every((t, n) => b[k + n] === t)) {
            end = k + tag.length;
            break;
          }
          k++;
        }
        out.push({ kind: 'other', start: i, end, value: "'" });
        i = end;
      } else {
        out.push({ kind: 'punct', start: i, end: i + 1, value: '$' });
        i++;
      }
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < to && isIdentCont(b[j])) j++;
      const raw = decoder.decode(b.subarray(i, j));
      out.push({ kind: 'ident', start: i, end: j, value: raw.replace(/[A-Z]+/g, (m) => m.toLowerCase()) });
      i = j;
    } else if (c >= 0x30 && c <= 0x39) {
      let j = i + 1;
      while (j < to && (isIdentCont(b[j]) || b[j] === 0x2e)) j++;
      out.push({ kind: 'other', start: i, end: j, value: '0' });
      i = j;
    } else {
      out.push({ kind: 'punct', start: i, end: i + 1, value: String.fromCharCode(c) });
      i++;
    }
  }
  return out;
}

/** The UTF-8 of the texts asked for lately (a plan's statements share their SQL value's text), most recent last. */
const encoded = new Map<string, Uint8Array>();
const ENCODED = 20000;

function utf8(text: string): Uint8Array {
  let bytes = encoded.get(text);
  if (bytes) {
    encoded.delete(text);
  } else {
    bytes = encoder.encode(text);
    if (encoded.size >= ENCODED) encoded.delete(encoded.keys().next().value as string);
  }
  encoded.set(text, bytes);
  return bytes;
}

/** Tokens of a statement, by its text's bytes and range: a plan is linted again and again with the same SQL. */
const tokenCache = new WeakMap<Uint8Array, Map<string, Token[]>>();

function lexed(b: Uint8Array, from: number, to: number): Token[] {
  let byRange = tokenCache.get(b);
  if (!byRange) tokenCache.set(b, (byRange = new Map()));
  const key = `${from}:${to}`;
  let tokens = byRange.get(key);
  if (!tokens) byRange.set(key, (tokens = lex(b, from, to)));
  return tokens;
}

/** Finds names in the statement's tokens; every method returns undefined when it cannot be sure. */
class Locator {
  private tokens: Token[] | undefined;
  private readonly bytes: Uint8Array | undefined;
  readonly start: number;
  private readonly end: number;

  constructor(sql: string | undefined, start: number | undefined, length: number | undefined) {
    this.bytes = sql !== undefined ? utf8(sql) : undefined;
    this.start = start ?? 0;
    const total = this.bytes?.length ?? 0;
    this.end = length !== undefined && length > 0 ? Math.min(total, this.start + length) : total;
  }

  get available(): boolean {
    return this.bytes !== undefined;
  }

  private all(): Token[] {
    if (!this.tokens) this.tokens = this.bytes ? lexed(this.bytes, Math.min(this.start, this.end), this.end) : [];
    return this.tokens;
  }

  /** Index of the first token starting at or after `offset`. */
  indexAt(offset: number): number {
    const t = this.all();
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid].start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  token(i: number): Token | undefined {
    return this.all()[i];
  }

  isWord(i: number, word: string): boolean {
    const t = this.token(i);
    if (!t || t.kind !== 'ident' || t.value !== word) return false;
    // a keyword is unquoted
    return this.bytes![t.start] !== 0x22;
  }

  isPunct(i: number, p: string): boolean {
    const t = this.token(i);
    return t !== undefined && t.kind === 'punct' && t.value === p;
  }

  /** A qualified name `a.b.c` starting at token i: the token index after it and its part tokens. */
  qualifiedAt(i: number): { next: number; parts: Token[] } | undefined {
    const first = this.token(i);
    if (!first || first.kind !== 'ident') return undefined;
    const parts = [first];
    let j = i + 1;
    while (this.isPunct(j, '.') && this.token(j + 1)?.kind === 'ident') {
      parts.push(this.token(j + 1)!);
      j += 2;
    }
    return { next: j, parts };
  }

  /** The qualified name whose first token starts at byte `offset`. */
  qualifiedAtOffset(offset: number): { next: number; parts: Token[] } | undefined {
    const i = this.indexAt(offset);
    const t = this.token(i);
    return t && t.start === offset ? this.qualifiedAt(i) : undefined;
  }

  /** Elements of the parenthesised list opening at token i: each element's first token index, and the index after `)`. */
  listAt(i: number): { elements: number[]; next: number } | undefined {
    if (!this.isPunct(i, '(')) return undefined;
    const elements: number[] = [];
    let depth = 0;
    let expectElement = true;
    for (let j = i + 1; this.token(j); j++) {
      const t = this.token(j)!;
      if (t.kind === 'punct' && (t.value === '(' || t.value === '[')) depth++;
      else if (t.kind === 'punct' && (t.value === ')' || t.value === ']')) {
        if (depth === 0) return { elements, next: j + 1 };
        depth--;
      } else if (depth === 0 && t.kind === 'punct' && t.value === ',') {
        expectElement = true;
        continue;
      }
      if (expectElement) {
        elements.push(j);
        expectElement = false;
      }
    }
    return undefined;
  }

  /** Index of the first `(` at or after token i, before `limit` tokens and not past a `;`. */
  nextParen(i: number, limit = 64): number | undefined {
    for (let j = i; j < i + limit && this.token(j); j++) {
      if (this.isPunct(j, '(')) return j;
      if (this.isPunct(j, ';')) return undefined;
    }
    return undefined;
  }

  /** Top-level comma-separated groups from token i to the statement's end: each group's token range. */
  groupsFrom(i: number): Array<[number, number]> {
    const groups: Array<[number, number]> = [];
    let depth = 0;
    let start = i;
    let j = i;
    for (; this.token(j); j++) {
      const t = this.token(j)!;
      if (t.kind !== 'punct') continue;
      if (t.value === '(' || t.value === '[') depth++;
      else if (t.value === ')' || t.value === ']') depth--;
      else if (depth === 0 && t.value === ',') {
        groups.push([start, j]);
        start = j + 1;
      } else if (depth === 0 && t.value === ';') break;
    }
    groups.push([start, j]);
    return groups;
  }

  /** The first token at or after byte `offset` that is the identifier `name`, within `limit` tokens. */
  findIdent(offset: number, name: string, limit = 64): Token | undefined {
    const i = this.indexAt(offset);
    for (let j = i; j < i + limit && this.token(j); j++) {
      const t = this.token(j)!;
      if (t.kind === 'ident' && t.value === name) return t;
      if (t.kind === 'punct' && t.value === ';') return undefined;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Scopes

type Source =
  /** a table (or view, sequence…) of the database; `extra`: columns the statement itself adds */
  | { type: 'table'; table: string; extra?: Set<string> }
  /** the table a CREATE TABLE defines */
  | { type: 'new'; table: string; columns: Set<string> }
  /** a CTE, subquery, function or VALUES: its columns, when known */
  | { type: 'derived'; columns?: Set<string> };

interface Entry {
  /** the name that qualifies its columns */
  alias: string;
  aliased: boolean;
  /** a FROM item whose name is not sure: a qualifier that matches nothing may be its */
  opaque?: boolean;
  schema?: string;
  relname?: string;
  source: Source;
}

interface Scope {
  entries: Entry[];
  parent?: Scope;
}

interface CteScope {
  ctes: Map<string, Set<string> | undefined>;
  parent?: CteScope;
}

interface ExprCtx {
  scope: Scope;
  ctes?: CteScope;
}

type ColumnTarget =
  | { type: 'entry'; entry: Entry }
  | { type: 'scope'; scope: Scope }
  | { type: 'qualified'; qualifier: string[]; scope: Scope };

interface RawUse {
  kind: 'table' | 'column' | 'qualifier';
  name: string;
  location: number;
  length?: number;
  used: boolean;
  write?: boolean;
  ifExists?: boolean;
  /** a table of the system catalogs */
  system?: boolean;
  /** a table the statement itself creates */
  known?: boolean;
  target?: ColumnTarget;
  /** a qualified column reference: where its qualifier starts */
  refStart?: number;
}

const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog', 'pg_toast']);
const SYSTEM_COLUMNS = new Set(['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid']);

function cteLookup(ctes: CteScope | undefined, name: string): { columns: Set<string> | undefined } | undefined {
  for (let c = ctes; c; c = c.parent) if (c.ctes.has(name)) return { columns: c.ctes.get(name) };
  return undefined;
}

/** Output column names of a target list, only when every one is certain (no `*`, no name PostgreSQL would have to make up). */
function certainOutputNames(targets: unknown): string[] | undefined {
  const names: string[] = [];
  for (const t of list(targets)) {
    const rt = bodyOf(t, 'ResTarget');
    if (!rt) return undefined;
    const explicit = str(rt.name);
    if (explicit !== undefined) {
      names.push(explicit);
      continue;
    }
    const ref = bodyOf(rt.val, 'ColumnRef');
    if (ref && list(ref.fields).some((f) => bodyOf(f, 'A_Star'))) return undefined;
    const figured = figureColname(rt.val);
    if (figured === undefined) return undefined;
    names.push(figured);
  }
  return names;
}

/** Alias column names rename the first columns. */
function renamed(columns: string[] | undefined, aliases: string[] | undefined): Set<string> | undefined {
  if (!aliases?.length) return columns ? new Set(columns) : undefined;
  if (!columns) return undefined;
  return new Set([...aliases, ...columns.slice(aliases.length)]);
}

// ---------------------------------------------------------------------------
// The analysis

class Analyzer {
  readonly uses: RawUse[] = [];

  constructor(private readonly loc: Locator) {}

  // ---- recording

  private tableUse(rv: RangeVarInfo, used: boolean, extra: Partial<RawUse> = {}): void {
    const use: RawUse = { kind: 'table', name: rv.name, location: rv.location, used, ...extra };
    if (rv.schema !== undefined ? SYSTEM_SCHEMAS.has(rv.schema) : rv.relname.startsWith('pg_')) use.system = true;
    const q = this.loc.available ? this.loc.qualifiedAtOffset(rv.location) : undefined;
    if (q) use.length = q.parts[q.parts.length - 1].end - q.parts[0].start;
    this.uses.push(use);
  }

  /** A column named without a location of its own: `token` when the scan found it, else `fallback`. */
  private columnAt(name: string, token: Token | undefined, fallback: number, target: ColumnTarget, extra: Partial<RawUse> = {}): void {
    const ok = token && token.kind === 'ident' && token.value === name;
    const use: RawUse = { kind: 'column', name, location: ok ? token.start : fallback, used: true, target, ...extra };
    if (ok) use.length = token.end - token.start;
    this.uses.push(use);
  }

  /** A column whose name token starts at `location` (ResTarget, ColumnDef). */
  private columnAtOffset(name: string, location: number, target: ColumnTarget, extra: Partial<RawUse> = {}): void {
    const t = this.loc.available ? this.loc.token(this.loc.indexAt(location)) : undefined;
    this.columnAt(name, t && t.start === location ? t : undefined, location, target, extra);
  }

  /** Columns listed in parentheses from token `i` (each element's first token is the name). */
  private columnList(names: string[], listStart: number | undefined, fallback: number, target: ColumnTarget, extra: Partial<RawUse> = {}): number | undefined {
    const l = listStart !== undefined ? this.loc.listAt(listStart) : undefined;
    names.forEach((name, k) => {
      const t = l && l.elements[k] !== undefined ? this.loc.token(l.elements[k]) : undefined;
      this.columnAt(name, t, fallback, target, extra);
    });
    return l?.next;
  }

  private columnRef(b: JsonObject, ctx: ExprCtx): void {
    const fields = list(b.fields);
    const star = fields.length > 0 && bodyOf(fields[fields.length - 1], 'A_Star') !== undefined;
    const names = (star ? fields.slice(0, -1) : fields).map(sval);
    if (names.some((n) => n === undefined) || names.length === 0) return;
    const parts = names as string[];
    const location = locationOr0(b);
    if (star) {
      if (parts.length <= 2) this.uses.push({ kind: 'qualifier', name: parts.join('.'), location, used: true, target: { type: 'qualified', qualifier: parts, scope: ctx.scope } });
      return;
    }
    if (parts.length > 3) return;
    const name = parts[parts.length - 1];
    const target: ColumnTarget = parts.length === 1 ? { type: 'scope', scope: ctx.scope } : { type: 'qualified', qualifier: parts.slice(0, -1), scope: ctx.scope };
    const q = this.loc.available ? this.loc.qualifiedAtOffset(location) : undefined;
    const last = q && q.parts.length === parts.length ? q.parts[q.parts.length - 1] : undefined;
    const use: RawUse = { kind: 'column', name, location: last ? last.start : location, used: true, target, refStart: location };
    if (last && last.value === name) use.length = last.end - last.start;
    else use.location = location;
    this.uses.push(use);
  }

  // ---- expressions

  expr(node: unknown, ctx: ExprCtx): void {
    if (Array.isArray(node)) {
      for (const n of node) this.expr(n, ctx);
      return;
    }
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (!isObject(value) && !Array.isArray(value)) continue;
      switch (key) {
        case 'ColumnRef':
          if (isObject(value)) this.columnRef(value, ctx);
          break;
        case 'SelectStmt':
          if (isObject(value)) this.select(value, ctx.scope, ctx.ctes);
          break;
        case 'MultiAssignRef':
          // the source is repeated for every column of `SET (a, b) = …`
          if (isObject(value) && (num(value.colno) ?? 1) === 1) this.expr(value.source, ctx);
          break;
        case 'TypeCast':
          if (isObject(value)) this.expr(value.arg, ctx);
          break;
        case 'typeName':
        case 'funcname':
        case 'TypeName':
          break;
        default:
          this.expr(value, ctx);
      }
    }
  }

  /** ORDER BY / GROUP BY / DISTINCT ON item: a bare name that is an output column is not a column reference. */
  private outputOrExpr(node: unknown, ctx: ExprCtx, outputs: Set<string>): void {
    const ref = bodyOf(node, 'ColumnRef');
    if (ref) {
      const fields = list(ref.fields);
      const name = fields.length === 1 ? sval(fields[0]) : undefined;
      if (name !== undefined && outputs.has(name)) return;
    }
    this.expr(node, ctx);
  }

  // ---- queries

  private withClause(w: unknown, parent: Scope | undefined, ctes: CteScope | undefined): CteScope | undefined {
    if (!isObject(w)) return ctes;
    const scope: CteScope = { ctes: new Map(), parent: ctes };
    const recursive = w.recursive === true;
    for (const c of list(w.ctes)) {
      const cte = bodyOf(c, 'CommonTableExpr');
      const name = cte ? str(cte.ctename) : undefined;
      if (!cte || name === undefined) continue;
      const aliases = svals(cte.aliascolnames);
      if (recursive) scope.ctes.set(name, aliases.length ? new Set(aliases) : undefined);
      const out = this.query(cte.ctequery, parent, scope);
      scope.ctes.set(name, renamed(out, aliases) ?? (aliases.length && recursive ? new Set(aliases) : undefined));
    }
    return scope;
  }

  /** A query that yields rows (SELECT, or DML with RETURNING): its certain output names. */
  private query(node: unknown, parent: Scope | undefined, ctes: CteScope | undefined): string[] | undefined {
    const n = nodeOf(node);
    if (!n) return undefined;
    switch (n.tag) {
      case 'SelectStmt':
        return this.select(n.body, parent, ctes);
      case 'InsertStmt':
        return this.insert(n.body, ctes);
      case 'UpdateStmt':
        return this.update(n.body, ctes, parent);
      case 'DeleteStmt':
        return this.delete(n.body, ctes, parent);
      case 'MergeStmt':
        return this.merge(n.body, ctes, parent);
      default:
        return undefined;
    }
  }

  select(b: JsonObject, parent: Scope | undefined, outerCtes: CteScope | undefined): string[] | undefined {
    const ctes = this.withClause(b.withClause, parent, outerCtes);
    const op = str(b.op);
    if (op !== undefined && op !== 'SETOP_NONE') {
      const left = this.query(b.larg, parent, ctes);
      this.query(b.rarg, parent, ctes);
      // ORDER BY of a UNION names its output columns: nothing else can be resolved there
      const scope: Scope = { entries: [], parent };
      const outputs = new Set(left ?? []);
      for (const s of list(b.sortClause)) {
        const node = bodyOf(s, 'SortBy')?.node ?? s;
        if (left || !bodyOf(node, 'ColumnRef')) this.outputOrExpr(node, { scope, ctes }, outputs);
      }
      this.expr([b.limitCount, b.limitOffset], { scope, ctes });
      return left;
    }
    const values = list(b.valuesLists);
    if (values.length) {
      this.expr(values, { scope: { entries: [], parent }, ctes });
      return list(bodyOf(values[0], 'List')?.items ?? values[0]).map((_, i) => `column${i + 1}`);
    }
    const scope: Scope = { entries: [], parent };
    const ctx: ExprCtx = { scope, ctes };
    for (const item of list(b.fromClause)) this.fromItem(item, scope, ctes);
    for (const t of list(b.targetList)) {
      const rt = bodyOf(t, 'ResTarget');
      if (rt) this.expr(rt.val, ctx);
    }
    const outputs = new Set<string>();
    for (const t of list(b.targetList)) {
      const rt = bodyOf(t, 'ResTarget');
      const name = rt ? (str(rt.name) ?? figureColname(rt.val)) : undefined;
      if (name !== undefined) outputs.add(name);
    }
    this.expr(b.whereClause, ctx);
    for (const g of list(b.groupClause)) this.outputOrExpr(g, ctx, outputs);
    this.expr(b.havingClause, ctx);
    this.expr(b.windowClause, ctx);
    for (const s of list(b.sortClause)) this.outputOrExpr(bodyOf(s, 'SortBy')?.node ?? s, ctx, outputs);
    for (const d of list(b.distinctClause)) this.outputOrExpr(d, ctx, outputs);
    this.expr([b.limitCount, b.limitOffset], ctx);
    return certainOutputNames(b.targetList);
  }

  /** Adds a FROM item's entries to `scope`; returns the entries it added. */
  private fromItem(item: unknown, scope: Scope, ctes: CteScope | undefined): Entry[] {
    const n = nodeOf(item);
    if (!n) return [];
    const b = n.body;
    const add = (e: Entry): Entry[] => {
      scope.entries.push(e);
      return [e];
    };
    const aliasOf = (): { name?: string; columns?: string[] } => {
      const a = isObject(b.alias) ? b.alias : undefined;
      return { name: a ? str(a.aliasname) : undefined, columns: a && Array.isArray(a.colnames) ? svals(a.colnames) : undefined };
    };
    switch (n.tag) {
      case 'RangeVar': {
        const rv = rangeVar(item);
        if (!rv) return [];
        return add(this.relationEntry(rv, ctes));
      }
      case 'RangeSubselect': {
        const alias = aliasOf();
        const out = this.query(b.subquery, b.lateral === true ? scope : scope.parent, ctes);
        return add({ alias: alias.name ?? '', aliased: true, source: { type: 'derived', columns: renamed(out, alias.columns) } });
      }
      case 'RangeFunction': {
        const alias = aliasOf();
        this.expr(b.functions, { scope, ctes });
        let name = alias.name;
        if (name === undefined) {
          const first = list(bodyOf(list(b.functions)[0], 'List')?.items)[0];
          name = figureColname(first);
        }
        return add({ alias: name ?? '', aliased: true, source: { type: 'derived' } });
      }
      case 'RangeTableSample': {
        const entries = this.fromItem(b.relation, scope, ctes);
        this.expr([b.args, b.repeatable], { scope, ctes });
        return entries;
      }
      case 'JoinExpr': {
        const left = this.fromItem(b.larg, scope, ctes);
        const right = this.fromItem(b.rarg, scope, ctes);
        const using = svals(b.usingClause);
        if (using.length) {
          let anchor = 0;
          const walkMax = (v: unknown): void => {
            if (Array.isArray(v)) v.forEach(walkMax);
            else if (isObject(v)) {
              for (const [k, x] of Object.entries(v)) {
                if (k === 'location' && typeof x === 'number' && x > anchor) anchor = x;
                else walkMax(x);
              }
            }
          };
          walkMax(b.rarg);
          const usingToken = this.loc.available ? this.loc.findIdent(anchor, 'using') : undefined;
          const paren = usingToken ? this.loc.nextParen(this.loc.indexAt(usingToken.end), 2) : undefined;
          for (const side of [left, right]) {
            const target: ColumnTarget = side.length === 1 ? { type: 'entry', entry: side[0] } : { type: 'scope', scope: { entries: side } };
            this.columnList(using, paren, anchor, target);
          }
        }
        this.expr(b.quals, { scope, ctes });
        const alias = aliasOf();
        if (alias.name !== undefined) return [...left, ...right, ...add({ alias: alias.name, aliased: true, source: { type: 'derived' } })];
        return [...left, ...right];
      }
      default: {
        // XMLTABLE, JSON_TABLE…: lateral expressions, columns unknown, and a name of their own without an alias
        const alias = aliasOf();
        this.expr(b, { scope, ctes });
        const implicit: Record<string, string> = { RangeTableFunc: 'xmltable', JsonTable: 'json_table' };
        return add({ alias: alias.name ?? implicit[n.tag] ?? '', aliased: true, opaque: alias.name === undefined, source: { type: 'derived' } });
      }
    }
  }

  private relationEntry(rv: RangeVarInfo, ctes: CteScope | undefined): Entry {
    const cte = rv.schema === undefined ? cteLookup(ctes, rv.relname) : undefined;
    if (cte) {
      return {
        alias: rv.alias ?? rv.relname,
        aliased: true,
        source: { type: 'derived', columns: cte.columns ? renamed([...cte.columns], rv.aliasColumns) : undefined },
      };
    }
    this.tableUse(rv, true);
    const system = rv.schema !== undefined ? SYSTEM_SCHEMAS.has(rv.schema) : rv.relname.startsWith('pg_');
    const entry: Entry = {
      alias: rv.alias ?? rv.relname,
      aliased: rv.alias !== undefined,
      schema: rv.schema,
      relname: rv.relname,
      source: system || rv.aliasColumns?.length ? { type: 'derived' } : { type: 'table', table: rv.name },
    };
    return entry;
  }

  /** The target table of INSERT / UPDATE / DELETE / MERGE. */
  private targetEntry(relation: unknown): Entry | undefined {
    const rv = rangeVar(relation);
    if (!rv) return undefined;
    this.tableUse(rv, true, { write: true });
    return { alias: rv.alias ?? rv.relname, aliased: rv.alias !== undefined, schema: rv.schema, relname: rv.relname, source: { type: 'table', table: rv.name } };
  }

  private setTargets(targets: unknown, target: Entry, ctx: ExprCtx | undefined): void {
    for (const t of list(targets)) {
      const rt = bodyOf(t, 'ResTarget');
      const name = rt ? str(rt.name) : undefined;
      if (!rt || name === undefined) continue;
      this.columnAtOffset(name, locationOr0(rt), { type: 'entry', entry: target }, { write: true });
      if (ctx) {
        this.expr(rt.indirection, ctx);
        this.expr(rt.val, ctx);
      }
    }
  }

  private insert(b: JsonObject, outerCtes: CteScope | undefined): string[] | undefined {
    const ctes = this.withClause(b.withClause, undefined, outerCtes);
    const target = this.targetEntry(b.relation);
    if (!target) return undefined;
    this.setTargets(b.cols, target, undefined);
    this.query(b.selectStmt, undefined, ctes);
    const tscope: Scope = { entries: [target] };
    const oc = isObject(b.onConflictClause) ? b.onConflictClause : undefined;
    if (oc) {
      const infer = isObject(oc.infer) ? oc.infer : undefined;
      if (infer) {
        const inferAt = locationOf(infer) ?? locationOf(oc) ?? this.loc.start;
        const paren = this.loc.available ? this.loc.nextParen(this.loc.indexAt(inferAt), 4) : undefined;
        const l = paren !== undefined ? this.loc.listAt(paren) : undefined;
        list(infer.indexElems).forEach((e, k) => {
          const ie = bodyOf(e, 'IndexElem');
          if (!ie) return;
          const name = str(ie.name);
          if (name !== undefined) {
            const t = l?.elements[k] !== undefined ? this.loc.token(l.elements[k]) : undefined;
            this.columnAt(name, t, inferAt, { type: 'entry', entry: target });
          } else this.expr(ie.expr, { scope: tscope, ctes });
        });
        this.expr(infer.whereClause, { scope: tscope, ctes });
      }
      const excluded: Entry = { alias: 'excluded', aliased: true, source: target.source };
      const uctx: ExprCtx = { scope: { entries: [target, excluded] }, ctes };
      this.setTargets(oc.targetList, target, uctx);
      this.expr(oc.whereClause, uctx);
    }
    this.expr(b.returningList, { scope: tscope, ctes });
    return Array.isArray(b.returningList) ? certainOutputNames(b.returningList) : undefined;
  }

  private update(b: JsonObject, outerCtes: CteScope | undefined, parent: Scope | undefined): string[] | undefined {
    const ctes = this.withClause(b.withClause, parent, outerCtes);
    const target = this.targetEntry(b.relation);
    if (!target) return undefined;
    const scope: Scope = { entries: [target], parent };
    for (const item of list(b.fromClause)) this.fromItem(item, scope, ctes);
    const ctx: ExprCtx = { scope, ctes };
    this.setTargets(b.targetList, target, ctx);
    this.expr(b.whereClause, ctx);
    this.expr(b.returningList, ctx);
    return Array.isArray(b.returningList) ? certainOutputNames(b.returningList) : undefined;
  }

  private delete(b: JsonObject, outerCtes: CteScope | undefined, parent: Scope | undefined): string[] | undefined {
    const ctes = this.withClause(b.withClause, parent, outerCtes);
    const target = this.targetEntry(b.relation);
    if (!target) return undefined;
    const scope: Scope = { entries: [target], parent };
    for (const item of list(b.usingClause)) this.fromItem(item, scope, ctes);
    const ctx: ExprCtx = { scope, ctes };
    this.expr(b.whereClause, ctx);
    this.expr(b.returningList, ctx);
    return Array.isArray(b.returningList) ? certainOutputNames(b.returningList) : undefined;
  }

  private merge(b: JsonObject, outerCtes: CteScope | undefined, parent: Scope | undefined): string[] | undefined {
    const ctes = this.withClause(b.withClause, parent, outerCtes);
    const target = this.targetEntry(b.relation);
    if (!target) return undefined;
    const scope: Scope = { entries: [target], parent };
    this.fromItem(b.sourceRelation, scope, ctes);
    const ctx: ExprCtx = { scope, ctes };
    this.expr(b.joinCondition, ctx);
    for (const w of list(b.mergeWhenClauses)) {
      const mw = bodyOf(w, 'MergeWhenClause');
      if (!mw) continue;
      this.expr(mw.condition, ctx);
      this.setTargets(mw.targetList, target, ctx);
      this.expr(mw.values, ctx);
    }
    this.expr(b.returningList, ctx);
    return Array.isArray(b.returningList) ? certainOutputNames(b.returningList) : undefined;
  }

  // ---- DDL

  /** Key columns, CHECK expressions and references of a constraint of table `entry`. */
  private constraint(c: JsonObject, entry: Entry, column: string | undefined): void {
    const location = locationOr0(c);
    const target: ColumnTarget = { type: 'entry', entry };
    const scope: Scope = { entries: [entry] };
    const anchor = this.loc.available ? this.loc.indexAt(location) : undefined;
    const keysParen = (): number | undefined => (anchor !== undefined ? this.loc.nextParen(anchor, 12) : undefined);
    switch (c.contype) {
      case 'CONSTR_CHECK':
        this.expr(c.raw_expr, { scope });
        break;
      case 'CONSTR_PRIMARY':
      case 'CONSTR_UNIQUE': {
        const keys = svals(c.keys);
        let next: number | undefined;
        if (keys.length) next = this.columnList(keys, keysParen(), location, target);
        const including = svals(c.including);
        if (including.length) {
          let paren: number | undefined;
          if (next !== undefined && this.loc.isWord(next, 'include')) paren = next + 1;
          this.columnList(including, paren, location, target);
        }
        break;
      }
      case 'CONSTR_EXCLUSION': {
        const paren = keysParen();
        const l = paren !== undefined ? this.loc.listAt(paren) : undefined;
        list(c.exclusions).forEach((pair, k) => {
          const ie = bodyOf(list(bodyOf(pair, 'List')?.items)[0], 'IndexElem');
          if (!ie) return;
          const name = str(ie.name);
          if (name !== undefined) this.columnAt(name, l?.elements[k] !== undefined ? this.loc.token(l.elements[k]) : undefined, location, target);
          else this.expr(ie.expr, { scope });
        });
        this.expr(c.where_clause, { scope });
        break;
      }
      case 'CONSTR_FOREIGN': {
        const fk = svals(c.fk_attrs);
        if (fk.length && column === undefined) this.columnList(fk, keysParen(), location, target);
        const pk = rangeVar(c.pktable);
        if (!pk) break;
        const self = entry.source.type !== 'derived' && 'table' in entry.source && entry.source.table === pk.name;
        this.tableUse(pk, true, self ? { known: true } : {});
        const pkEntry: Entry = self ? entry : { alias: pk.relname, aliased: false, schema: pk.schema, relname: pk.relname, source: { type: 'table', table: pk.name } };
        const pkAttrs = svals(c.pk_attrs);
        if (pkAttrs.length) {
          let paren: number | undefined;
          if (this.loc.available) {
            const q = this.loc.qualifiedAtOffset(pk.location);
            if (q && this.loc.isPunct(q.next, '(')) paren = q.next;
          }
          this.columnList(pkAttrs, paren, pk.location, { type: 'entry', entry: pkEntry });
        }
        break;
      }
      default:
        break;
    }
  }

  private createTable(b: JsonObject): void {
    const rv = rangeVar(b.relation);
    if (!rv) return;
    this.tableUse(rv, false, { write: true });
    const columns = new Set<string>();
    for (const e of list(b.tableElts)) {
      const cd = bodyOf(e, 'ColumnDef');
      const name = cd ? str(cd.colname) : undefined;
      if (name !== undefined) columns.add(name);
    }
    const parents: RangeVarInfo[] = [];
    for (const p of list(b.inhRelations)) {
      const prv = rangeVar(p);
      if (prv) parents.push(prv);
    }
    const entry: Entry = {
      alias: rv.relname,
      aliased: false,
      schema: rv.schema,
      relname: rv.relname,
      // inherited or LIKE columns are not listed: leave the columns unknown then
      source: parents.length || list(b.tableElts).some((e) => bodyOf(e, 'TableLikeClause'))
        ? { type: 'derived' }
        : { type: 'new', table: rv.name, columns },
    };
    for (const p of parents) this.tableUse(p, true);
    for (const e of list(b.tableElts)) {
      const n = nodeOf(e);
      if (!n) continue;
      if (n.tag === 'ColumnDef') this.columnDef(n.body, entry, rv.name);
      else if (n.tag === 'Constraint') this.constraint(n.body, entry, undefined);
      else if (n.tag === 'TableLikeClause') {
        const like = rangeVar(n.body.relation);
        if (like) this.tableUse(like, true);
      }
    }
    const spec = bodyOf(b.partspec, 'PartitionSpec') ?? (isObject(b.partspec) ? b.partspec : undefined);
    if (spec) {
      for (const p of list(spec.partParams)) {
        const pe = bodyOf(p, 'PartitionElem');
        if (!pe) continue;
        const name = str(pe.name);
        if (name !== undefined) this.columnAtOffset(name, locationOr0(pe), { type: 'entry', entry });
        else this.expr(pe.expr, { scope: { entries: [entry] } });
      }
    }
  }

  /** A column definition: the column is created; its constraints use other names. */
  private columnDef(cd: JsonObject, entry: Entry, table: string): void {
    const name = str(cd.colname);
    if (name === undefined) return;
    this.columnAtOffset(name, locationOr0(cd), { type: 'entry', entry: { ...entry, source: { type: 'new', table, columns: new Set([name]) } } }, { used: false, write: true });
    for (const c of list(cd.constraints)) {
      const cb = bodyOf(c, 'Constraint');
      if (cb) this.constraint(cb, entry, name);
    }
  }

  private alterTable(b: JsonObject): void {
    if (b.objtype !== undefined && b.objtype !== 'OBJECT_TABLE' && b.objtype !== 'OBJECT_FOREIGN_TABLE') return;
    const rv = rangeVar(b.relation);
    if (!rv) return;
    const ifExists = b.missing_ok === true;
    this.tableUse(rv, true, ifExists ? { ifExists } : {});
    const added = new Set<string>();
    for (const c of list(b.cmds)) {
      const cmd = bodyOf(c, 'AlterTableCmd');
      const cd = cmd ? bodyOf(cmd.def, 'ColumnDef') : undefined;
      const name = cd && cmd?.subtype === 'AT_AddColumn' ? str(cd.colname) : undefined;
      if (name !== undefined) added.add(name);
    }
    const entry: Entry = { alias: rv.relname, aliased: false, schema: rv.schema, relname: rv.relname, source: { type: 'table', table: rv.name, extra: added } };
    const target: ColumnTarget = { type: 'entry', entry };
    let groups: Array<[number, number]> = [];
    if (this.loc.available) {
      const q = this.loc.qualifiedAtOffset(rv.location);
      if (q) groups = this.loc.groupsFrom(this.loc.isPunct(q.next, '*') ? q.next + 1 : q.next);
    }
    list(b.cmds).forEach((c, k) => {
      const cmd = bodyOf(c, 'AlterTableCmd');
      if (!cmd) return;
      const group = groups[k];
      const subtype = str(cmd.subtype) ?? '';
      const name = str(cmd.name);
      const fallback = group ? (this.loc.token(group[0])?.start ?? rv.location) : rv.location;
      /** the column name after the subcommand's leading words */
      const columnToken = (lead: string[]): Token | undefined => {
        if (!group) return undefined;
        let i = group[0];
        for (const w of lead) if (this.loc.isWord(i, w)) i++;
        if (this.loc.isWord(i, 'if') && this.loc.isWord(i + 1, 'exists') && i + 2 < group[1]) i += 2;
        return i < group[1] ? this.loc.token(i) : undefined;
      };
      switch (subtype) {
        case 'AT_AddColumn': {
          const cd = bodyOf(cmd.def, 'ColumnDef');
          if (!cd) return;
          const colName = str(cd.colname);
          if (colName === undefined) return;
          this.columnAtOffset(colName, locationOr0(cd), target, { used: false, write: true });
          for (const con of list(cd.constraints)) {
            const cb = bodyOf(con, 'Constraint');
            if (cb) this.constraint(cb, entry, colName);
          }
          return;
        }
        case 'AT_DropColumn':
          if (name !== undefined) this.columnAt(name, columnToken(['drop', 'column']), fallback, target, { write: true, ...(cmd.missing_ok === true ? { ifExists: true } : {}) });
          return;
        case 'AT_AlterColumnType': {
          if (name !== undefined) this.columnAt(name, columnToken(['alter', 'column']), fallback, target, { write: true });
          const cd = bodyOf(cmd.def, 'ColumnDef');
          if (cd) this.expr(cd.raw_default, { scope: { entries: [entry] } });
          return;
        }
        case 'AT_AddConstraint': {
          const con = bodyOf(cmd.def, 'Constraint');
          if (con) this.constraint(con, entry, undefined);
          return;
        }
        default:
          if (name !== undefined && /^AT_(SetNotNull|DropNotNull|ColumnDefault|CookedColumnDefault|SetStatistics|SetStorage|SetCompression|SetOptions|ResetOptions|AddIdentity|SetIdentity|DropIdentity|SetExpression|DropExpression|AlterColumnGenericOptions)$/.test(subtype)) {
            this.columnAt(name, columnToken(['alter', 'column']), fallback, target, { write: true });
          }
      }
    });
  }

  private rename(b: JsonObject): void {
    const type = str(b.renameType);
    const rv = rangeVar(b.relation);
    const newname = str(b.newname);
    if (!rv || newname === undefined) return;
    const ifExists = b.missing_ok === true ? { ifExists: true } : {};
    // tokens after the relation: RENAME [COLUMN] old TO new | RENAME TO new | RENAME CONSTRAINT c TO d
    let after: number | undefined;
    if (this.loc.available) after = this.loc.qualifiedAtOffset(rv.location)?.next;
    /** the token after the first `TO` following the relation */
    const newToken = (): Token | undefined => {
      if (after === undefined) return undefined;
      for (let i = after; i < after + 6; i++) if (this.loc.isWord(i, 'to')) return this.loc.token(i + 1);
      return undefined;
    };
    if (type === 'OBJECT_TABLE' || type === 'OBJECT_FOREIGN_TABLE') {
      this.tableUse(rv, true, ifExists);
      const t = newToken();
      const use: RawUse = { kind: 'table', name: qualify(rv.schema, newname), location: t?.kind === 'ident' && t.value === newname ? t.start : rv.location, used: false, write: true };
      if (t?.kind === 'ident' && t.value === newname) use.length = t.end - t.start;
      this.uses.push(use);
    } else if (type === 'OBJECT_COLUMN' && (b.relationType === undefined || b.relationType === 'OBJECT_TABLE' || b.relationType === 'OBJECT_FOREIGN_TABLE')) {
      this.tableUse(rv, true, ifExists);
      const sub = str(b.subname);
      const entry: Entry = { alias: rv.relname, aliased: false, schema: rv.schema, relname: rv.relname, source: { type: 'table', table: rv.name } };
      let oldToken: Token | undefined;
      if (after !== undefined) {
        let i = after;
        if (this.loc.isWord(i, 'rename')) i++;
        if (this.loc.isWord(i, 'column') && !this.loc.isWord(i + 1, 'to')) i++;
        oldToken = this.loc.token(i);
      }
      if (sub !== undefined) this.columnAt(sub, oldToken, rv.location, { type: 'entry', entry }, { write: true });
      this.columnAt(newname, newToken(), rv.location, { type: 'entry', entry }, { used: false, write: true });
    } else if (type === 'OBJECT_TABCONSTRAINT') {
      this.tableUse(rv, true, ifExists);
    }
  }

  private createIndex(b: JsonObject): void {
    const rv = rangeVar(b.relation);
    if (!rv) return;
    this.tableUse(rv, true);
    const entry: Entry = { alias: rv.relname, aliased: false, schema: rv.schema, relname: rv.relname, source: { type: 'table', table: rv.name } };
    const scope: Scope = { entries: [entry] };
    let paren: number | undefined;
    if (this.loc.available) {
      const q = this.loc.qualifiedAtOffset(rv.location);
      if (q) paren = this.loc.nextParen(q.next, 4);
    }
    const l = paren !== undefined ? this.loc.listAt(paren) : undefined;
    list(b.indexParams).forEach((p, k) => {
      const ie = bodyOf(p, 'IndexElem');
      if (!ie) return;
      const name = str(ie.name);
      if (name !== undefined) this.columnAt(name, l?.elements[k] !== undefined ? this.loc.token(l.elements[k]) : undefined, rv.location, { type: 'entry', entry });
      else this.expr(ie.expr, { scope });
    });
    const including = list(b.indexIncludingParams)
      .map((p) => str(bodyOf(p, 'IndexElem')?.name))
      .filter((n): n is string => n !== undefined);
    if (including.length) {
      const inc = l && this.loc.isWord(l.next, 'include') ? l.next + 1 : undefined;
      this.columnList(including, inc, rv.location, { type: 'entry', entry });
    }
    this.expr(b.whereClause, { scope });
  }

  private dropTables(b: JsonObject, stmtStart: number): void {
    if (b.removeType !== 'OBJECT_TABLE' && b.removeType !== 'OBJECT_FOREIGN_TABLE') return;
    const ifExists = b.missing_ok === true;
    // DROP [FOREIGN] TABLE [IF EXISTS] a, s.b …
    let groups: Array<[number, number]> = [];
    if (this.loc.available) {
      let i = this.loc.indexAt(stmtStart);
      for (const w of ['drop', 'foreign', 'table']) if (this.loc.isWord(i, w)) i++;
      if (this.loc.isWord(i, 'if') && this.loc.isWord(i + 1, 'exists')) i += 2;
      groups = this.loc.groupsFrom(i);
    }
    list(b.objects).forEach((o, k) => {
      const parts = svals(bodyOf(o, 'List')?.items ?? o);
      if (!parts.length) return;
      const name = qualifiedName(parts);
      const group = groups[k];
      const q = group ? this.loc.qualifiedAt(group[0]) : undefined;
      const ok = q && q.parts.length === parts.length && q.parts[q.parts.length - 1].value === parts[parts.length - 1];
      const use: RawUse = { kind: 'table', name, location: ok ? q.parts[0].start : stmtStart, used: true, write: true };
      if (ok) use.length = q.parts[q.parts.length - 1].end - q.parts[0].start;
      if (ifExists) use.ifExists = true;
      const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
      if (schema !== undefined ? SYSTEM_SCHEMAS.has(schema) : name.startsWith('pg_')) use.system = true;
      this.uses.push(use);
    });
  }

  statement(node: unknown, stmtStart: number): void {
    const n = nodeOf(node);
    if (!n) return;
    const b = n.body;
    switch (n.tag) {
      case 'SelectStmt':
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'MergeStmt':
        this.query(node, undefined, undefined);
        break;
      case 'CreateStmt':
        this.createTable(b);
        break;
      case 'CreateForeignTableStmt':
        if (isObject(b.base)) this.createTable(b.base);
        break;
      case 'AlterTableStmt':
        this.alterTable(b);
        break;
      case 'RenameStmt':
        this.rename(b);
        break;
      case 'IndexStmt':
        this.createIndex(b);
        break;
      case 'DropStmt':
        this.dropTables(b, stmtStart);
        break;
      case 'CreateTableAsStmt': {
        this.query(b.query, undefined, undefined);
        const into = isObject(b.into) ? b.into : undefined;
        const rv = rangeVar(into?.rel);
        if (rv && b.objtype !== 'OBJECT_MATVIEW') this.tableUse(rv, false, { write: true });
        break;
      }
      case 'ViewStmt':
        this.query(b.query, undefined, undefined);
        break;
      case 'ExplainStmt':
      case 'PrepareStmt':
      case 'DeclareCursorStmt':
        this.statement(b.query, stmtStart);
        break;
      case 'TruncateStmt':
      case 'LockStmt':
        for (const r of list(b.relations)) {
          const rv = rangeVar(r);
          if (rv) this.tableUse(rv, true, n.tag === 'TruncateStmt' ? { write: true } : {});
        }
        break;
      case 'VacuumStmt':
        for (const r of list(b.rels)) {
          const vr = bodyOf(r, 'VacuumRelation');
          const rv = vr ? rangeVar(vr.relation) : undefined;
          if (!vr || !rv) continue;
          this.tableUse(rv, true);
          const cols = svals(vr.va_cols);
          if (cols.length) {
            const q = this.loc.available ? this.loc.qualifiedAtOffset(rv.location) : undefined;
            const entry: Entry = { alias: rv.relname, aliased: false, source: { type: 'table', table: rv.name } };
            this.columnList(cols, q?.next, rv.location, { type: 'entry', entry });
          }
        }
        break;
      case 'ClusterStmt': {
        const rv = rangeVar(b.relation);
        if (rv) this.tableUse(rv, true);
        break;
      }
      case 'CopyStmt': {
        if (b.query !== undefined) {
          this.statement(b.query, stmtStart);
          break;
        }
        const rv = rangeVar(b.relation);
        if (!rv) break;
        this.tableUse(rv, true, b.is_from === true ? { write: true } : {});
        const cols = svals(b.attlist);
        if (cols.length) {
          const q = this.loc.available ? this.loc.qualifiedAtOffset(rv.location) : undefined;
          const entry: Entry = { alias: rv.relname, aliased: false, source: { type: 'table', table: rv.name } };
          this.columnList(cols, q?.next, rv.location, { type: 'entry', entry });
        }
        break;
      }
      case 'CreateTrigStmt': {
        const rv = rangeVar(b.relation);
        if (rv) this.tableUse(rv, true);
        break;
      }
      default:
        break;
    }
  }
}

// ---------------------------------------------------------------------------
// Resolution

type Resolution =
  /** resolved (to a table, when `table` is set); `verified` when the catalog confirms it */
  | { status: 'ok'; table?: string }
  /** not a table's column (CTE, subquery, whole-row, output name): no use to report */
  | { status: 'skip' }
  /** it does not exist */
  | { status: 'unknown'; table?: string; reason: string }
  /** cannot tell (ambiguous, or a source whose columns are not known) */
  | { status: 'unresolved'; table?: string };

function entryTable(e: Entry): string | undefined {
  return e.source.type === 'derived' ? undefined : e.source.table;
}

/** Whether an entry has a column, when its columns are known (asked without copying a wide table's columns). */
function entryColumns(e: Entry, catalog: Catalog | undefined): { has(name: string): boolean } | undefined {
  const s = e.source;
  if (s.type === 'derived') return s.columns;
  if (s.type === 'new') return { has: (n) => s.columns.has(n) || SYSTEM_COLUMNS.has(n) };
  if (!catalog) return undefined;
  const t = catalog.tables.get(s.table);
  if (t) return { has: (n) => t.columns.has(n) || (s.extra?.has(n) ?? false) || SYSTEM_COLUMNS.has(n) };
  const r = catalog.relations.get(s.table);
  if (r?.columns && r.kind !== 'sequence') {
    const cols = r.columns;
    return { has: (n) => cols.includes(n) || SYSTEM_COLUMNS.has(n) };
  }
  return undefined;
}

function describe(e: Entry): string {
  const t = entryTable(e);
  return t !== undefined ? `table ${t}` : e.alias ? `"${e.alias}"` : 'the subquery';
}

function inEntry(name: string, e: Entry, catalog: Catalog | undefined): Resolution {
  const cols = entryColumns(e, catalog);
  const table = entryTable(e);
  if (!cols) return table !== undefined ? { status: 'unresolved', table } : { status: 'skip' };
  if (cols.has(name)) return table !== undefined ? { status: 'ok', table } : { status: 'skip' };
  return { status: 'unknown', ...(table !== undefined ? { table } : {}), reason: `column ${name} does not exist in ${describe(e)}` };
}

function matchesQualifier(e: Entry, q: string[]): boolean {
  if (q.length === 1) return e.alias === q[0];
  if (q.length === 2) return !e.aliased && e.relname === q[1] && (e.schema ?? 'public') === q[0];
  return false;
}

function findQualified(q: string[], scope: Scope | undefined): Entry | undefined {
  for (let s = scope; s; s = s.parent) {
    const e = s.entries.find((x) => matchesQualifier(x, q));
    if (e) return e;
  }
  return undefined;
}

function anyOpaque(scope: Scope | undefined): boolean {
  for (let s = scope; s; s = s.parent) if (s.entries.some((e) => e.opaque)) return true;
  return false;
}

function resolveInScope(name: string, scope: Scope, catalog: Catalog | undefined): Resolution {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const hits: Entry[] = [];
    let unknown = false;
    for (const e of s.entries) {
      const cols = entryColumns(e, catalog);
      if (!cols) unknown = true;
      else if (cols.has(name)) hits.push(e);
    }
    if (hits.length > 1) return { status: 'unresolved' };
    // a whole-row reference to a FROM item (or a function's single column)
    if (hits.length === 0 && s.entries.some((e) => e.alias === name)) return { status: 'skip' };
    if (hits.length === 1) {
      const table = entryTable(hits[0]);
      if (unknown) return { status: 'unresolved', ...(table !== undefined ? { table } : {}) };
      return table !== undefined ? { status: 'ok', table } : { status: 'skip' };
    }
    if (unknown) {
      // nothing known has it: with a single table in FROM, it is that table's
      const only = s.entries.length === 1 ? entryTable(s.entries[0]) : undefined;
      if (only !== undefined && s.entries[0].source.type !== 'derived') return { status: 'unresolved', table: only };
      return s.entries.length === 1 && s.entries[0].source.type === 'derived' ? { status: 'skip' } : { status: 'unresolved' };
    }
  }
  const inner = scope.entries;
  const tables = inner.map(describe);
  if (inner.length === 1) {
    const table = entryTable(inner[0]);
    return { status: 'unknown', ...(table !== undefined ? { table } : {}), reason: `column ${name} does not exist in ${tables[0]}` };
  }
  return {
    status: 'unknown',
    reason: inner.length ? `column ${name} does not exist in any of ${tables.join(', ')}` : `column ${name} does not exist (the query has no FROM)`,
  };
}

function resolve(use: RawUse, catalog: Catalog | undefined): Resolution {
  const t = use.target;
  if (!t) return { status: 'unresolved' };
  switch (t.type) {
    case 'entry':
      return inEntry(use.name, t.entry, catalog);
    case 'scope':
      return resolveInScope(use.name, t.scope, catalog);
    case 'qualified': {
      const e = findQualified(t.qualifier, t.scope);
      if (!e && anyOpaque(t.scope)) return { status: 'unresolved' };
      if (!e) {
        // `schema.table.column` naming a table absent from FROM, or an alias that is not there
        return { status: 'unknown', reason: `missing FROM-clause entry for ${t.qualifier.join('.')}` };
      }
      if (use.kind === 'qualifier') return { status: 'skip' };
      return inEntry(use.name, e, catalog);
    }
  }
}

function analyze(stmt: unknown, options: NameOptions): RawUse[] {
  const { node, location, length } = unwrapStatement(stmt);
  const start = options.stmtLocation ?? location ?? 0;
  const loc = new Locator(options.sql, start, options.stmtLength ?? length);
  const a = new Analyzer(loc);
  a.statement(node, start);
  return a.uses;
}

function publicUse(u: RawUse, table: string | undefined): NameUse {
  const out: NameUse = { kind: u.kind === 'table' ? 'table' : 'column', name: u.name, location: u.location, used: u.used };
  if (table !== undefined) out.table = table;
  if (u.write) out.write = true;
  if (u.ifExists) out.ifExists = true;
  if (u.length !== undefined) out.length = u.length;
  return out;
}

/**
 * The tables and columns a statement uses, creates or writes, in the order
 * of their locations. `stmt` is `stmts[i]` (then its `stmt_location`
 * bounds the token scan) or `stmts[i].stmt`. Columns of CTEs, subqueries and
 * functions, output names in ORDER BY / GROUP BY, and whole-row references
 * are not table columns and are left out.
 */
export function nameUses(stmt: unknown, options: NameOptions = {}): NameUse[] {
  const out: NameUse[] = [];
  for (const u of analyze(stmt, options)) {
    if (u.kind === 'qualifier') continue;
    if (u.kind === 'table') {
      out.push(publicUse(u, undefined));
      continue;
    }
    const r = resolve(u, options.catalog);
    if (r.status === 'skip') continue;
    if (r.status === 'unknown' && u.target?.type === 'qualified' && !findQualified(u.target.qualifier, u.target.scope)) {
      continue;
    }
    out.push(publicUse(u, 'table' in r ? r.table : undefined));
  }
  return out.sort((a, b) => a.location - b.location);
}

/**
 * The names a statement uses that do not exist in `catalog` (the schema at
 * that point of the plan): tables that are neither tables nor other
 * relations (views, sequences) of the catalog, columns that are not in their
 * resolved table (or in any FROM item, when every one of them is known),
 * and qualifiers that name no FROM item. Names the statement creates, IF
 * EXISTS names, and the system catalogs are never reported.
 */
export function unknownNames(stmt: unknown, catalog: Catalog, options: Omit<NameOptions, 'catalog'> = {}): Array<NameUse & { reason: string }> {
  const out: Array<NameUse & { reason: string }> = [];
  const missingTables = new Set<string>();
  const uses = analyze(stmt, options);
  for (const u of uses) {
    if (u.kind !== 'table' || !u.used || u.ifExists || u.system || u.known) continue;
    if (catalog.hasRelation(u.name)) continue;
    missingTables.add(u.name);
    out.push({ ...publicUse(u, undefined), reason: `table ${u.name} does not exist at this point of the plan` });
  }
  for (const u of uses) {
    if (u.kind === 'table' || !u.used || u.ifExists) continue;
    const r = resolve(u, catalog);
    if (r.status !== 'unknown') continue;
    if (r.table !== undefined && missingTables.has(r.table)) continue;
    if (u.target?.type === 'qualified' && !findQualified(u.target.qualifier, u.target.scope)) {
      const q = u.target.qualifier.join('.');
      out.push({ kind: 'table', name: q, location: u.refStart ?? u.location, used: true, reason: r.reason });
      continue;
    }
    if (u.kind === 'qualifier') continue;
    out.push({ ...publicUse(u, r.table), reason: r.reason });
  }
  return out.sort((a, b) => a.location - b.location);
}
