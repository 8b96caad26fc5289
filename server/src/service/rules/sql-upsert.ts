import { defineRule } from '../linting/rule';
import type { Catalog } from '../sql/catalog';
import { nodeOf } from '../sql/operations';
import { tooDeep, type SqlParse, type SqlStatement } from '../sql/parser';
import { sqlReportAt, type SqlValue } from '../sql/sqlValues';
import { timelineOf } from '../sql/timeline';
import { sqlValueLabel } from './sql-syntax';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every node of an AST, depth first. */
function* nodes(v: unknown): Generator<{ kind: string; body: Json }> {
  if (Array.isArray(v)) {
    for (const x of v) yield* nodes(x);
    return;
  }
  if (!isObject(v)) return;
  const n = nodeOf(v);
  if (n) {
    yield n;
    for (const x of Object.values(n.body)) yield* nodes(x);
    return;
  }
  for (const x of Object.values(v)) yield* nodes(x);
}

/** The parameters ($1, $2, …) a node uses. */
function params(v: unknown): Set<number> {
  const out = new Set<number>();
  for (const n of nodes(v)) if (n.kind === 'ParamRef' && typeof n.body.number === 'number') out.add(n.body.number);
  return out;
}

/** The last name of a column reference (`u.id` → `id`), lower case. */
function columnOf(v: unknown): string | undefined {
  const n = nodeOf(v);
  if (n?.kind !== 'ColumnRef' || !Array.isArray(n.body.fields)) return undefined;
  const last = nodeOf(n.body.fields[n.body.fields.length - 1]);
  return last?.kind === 'String' && typeof last.body.sval === 'string' ? last.body.sval.toLowerCase() : undefined;
}

function paramOf(v: unknown): number | undefined {
  const n = nodeOf(v);
  return n?.kind === 'ParamRef' && typeof n.body.number === 'number' ? n.body.number : undefined;
}

/** The conjuncts of a WHERE clause (its top-level ANDs). */
function conjuncts(where: unknown): unknown[] {
  const n = nodeOf(where);
  if (n?.kind === 'BoolExpr' && n.body.boolop === 'AND_EXPR' && Array.isArray(n.body.args)) return n.body.args.flatMap(conjuncts);
  return where === undefined ? [] : [where];
}

const FLIP: Record<string, string> = { '>=': '<=', '<=': '>=', '<': '>', '>': '<' };

/** `key >= $1` / `$1 <= key` as [op with the key on the left, param]; undefined for anything else. */
function bound(c: unknown, key: string): { op: string; param: number } | undefined {
  const n = nodeOf(c);
  if (n?.kind !== 'A_Expr' || n.body.kind !== 'AEXPR_OP' || !Array.isArray(n.body.name)) return undefined;
  const opNode = nodeOf(n.body.name[n.body.name.length - 1]);
  const op = opNode?.kind === 'String' ? String(opNode.body.sval) : undefined;
  if (op === undefined || FLIP[op] === undefined) return undefined;
  if (columnOf(n.body.lexpr) === key && paramOf(n.body.rexpr) !== undefined) return { op, param: paramOf(n.body.rexpr)! };
  if (columnOf(n.body.rexpr) === key && paramOf(n.body.lexpr) !== undefined) return { op: FLIP[op], param: paramOf(n.body.lexpr)! };
  return undefined;
}

/** Whether a WHERE clause bounds `key` by `key >= $1 AND key < $2`. */
function boundsKey(where: unknown, key: string): boolean {
  const found = conjuncts(where).map((c) => bound(c, key));
  return found.some((b) => b?.op === '>=' && b.param === 1) && found.some((b) => b?.op === '<' && b.param === 2);
}

/** The columns a node reads (last names, lower case). */
function columnsRead(v: unknown): Set<string> {
  const out = new Set<string>();
  for (const n of nodes(v)) {
    if (n.kind === 'ColumnRef') {
      const c = columnOf({ ColumnRef: n.body });
      if (c) out.add(c);
    }
  }
  return out;
}

/** `relation` of a statement body as a table name (lower case, `public.` dropped). */
function tableOf(body: Json): string | undefined {
  const rel = isObject(body.relation) ? body.relation : undefined;
  const name = typeof rel?.relname === 'string' ? rel.relname : undefined;
  const schema = typeof rel?.schemaname === 'string' && rel.schemaname !== 'public' ? rel.schemaname : undefined;
  return name === undefined ? undefined : schema ? `${schema}.${name}` : name;
}

/** The target table's single-column primary key, from the schema at the upsert. */
function primaryKeyOf(catalog: Catalog, table: string): string | undefined {
  const pk = catalog.constraintsOf(table).find((c) => c.kind === 'primary');
  return pk && pk.columns.length === 1 ? pk.columns[0] : undefined;
}

/** The first character of a statement's own text (PostgreSQL's start includes the white space and comments before it). */
function statementStart(text: string, st: SqlStatement): number {
  let i = st.start;
  for (;;) {
    while (i < st.end && /\s/.test(text[i])) i++;
    if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? st.end : nl + 1;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? st.end : close + 2;
    } else return i;
  }
}

interface Problem {
  /** UTF-16 offsets in the upsert's text. */
  start: number;
  end: number;
  message: string;
  detail: string;
}

function judge(value: SqlValue, parse: SqlParse, st: SqlStatement, catalog: Catalog, keyWritten: string | undefined, judged: boolean): Problem[] {
  const text = value.text ?? '';
  const first = statementStart(text, st);
  const word = /^[A-Za-z]+/.exec(text.slice(first))?.[0] ?? '';
  const at = { start: first, end: first + Math.max(1, word.length) };
  /** The WHERE keyword of the statement's WHERE clause (the AST locates the condition, not the keyword); the verb without one. */
  const whereAt = (body: Json): { start: number; end: number } => {
    const cond = isObject(body.whereClause) ? Object.values(body.whereClause)[0] : undefined;
    if (!isObject(cond) || typeof cond.location !== 'number') return at;
    const loc = parse.offsetOfByte(cond.location);
    const before = text.slice(first, loc).toLowerCase();
    const m = [...before.matchAll(/\bwhere\b/g)].pop();
    return m?.index !== undefined ? { start: first + m.index, end: first + m.index + 5 } : { start: loc, end: loc + 1 };
  };
  const n = nodeOf(st.stmt);
  if (!n) return [];
  const out: Problem[] = [];
  const used = params(st.stmt);
  const bounds = 'A batch is `$1` (its first key, inclusive) to `$2` (the next batch\'s first key, exclusive)';
  if (n.kind === 'InsertStmt') {
    const conflict = isObject(n.body.onConflictClause) ? n.body.onConflictClause : undefined;
    if (!conflict) {
      out.push({
        ...at,
        message: 'is an INSERT without ON CONFLICT: a rerun batch inserts its rows again.',
        detail:
          'A backfill is restarted from its last committed batch, so a batch may run twice; without `ON CONFLICT` the second run fails on the key or duplicates the rows. ' +
          'Add `ON CONFLICT (key) DO NOTHING` (rows dual-write already wrote are newer than the copy).',
      });
    } else if (conflict.action === 'ONCONFLICT_UPDATE' && conflict.whereClause === undefined) {
      out.push({
        ...at,
        message: 'overwrites rows on conflict with no guard: it can undo dual-write.',
        detail:
          'A batch reads the old rows, then writes; a row the application changed in between (through dual-write) gets the older copy back. ' +
          'Use `ON CONFLICT (key) DO NOTHING`, or guard the update with a `WHERE` that skips rows already written.',
      });
    }
    if (!used.has(1) || !used.has(2)) {
      out.push({
        ...at,
        message: 'ignores the batch bounds $1 and $2: every batch copies every row.',
        detail: `${bounds}: select only the rows of the batch, e.g. \`WHERE id >= $1 AND id < $2\`.`,
      });
    }
    return out;
  }
  if (n.kind !== 'UpdateStmt' && n.kind !== 'DeleteStmt') return out;
  const table = tableOf(n.body);
  const key = (keyWritten ?? (table !== undefined ? primaryKeyOf(catalog, table) : undefined))?.replace(/^.*\./, '').toLowerCase();
  if (key === undefined) {
    // Without a current schema that names the table's key there is nothing to hold the WHERE to.
    if (judged && table !== undefined && catalog.tables.has(table)) {
      out.push({
        ...at,
        message: `walks no key: ${table} has no single-column primary key and no \`key\` is named.`,
        detail: `${bounds} of the column the batches walk. Name that column in the phase's \`key\`.`,
      });
    }
  } else if (!boundsKey(n.body.whereClause, key)) {
    out.push({
      ...whereAt(n.body),
      message: `does not bound ${key} by $1 and $2 in its WHERE: not a restartable batch.`,
      detail: `${bounds}: write \`WHERE ${key} >= $1 AND ${key} < $2\`, so that each batch touches its own rows and a restart continues from the last committed key.`,
    });
  }
  if (n.kind === 'UpdateStmt') {
    const set = new Set<string>();
    for (const t of Array.isArray(n.body.targetList) ? n.body.targetList : []) {
      const r = nodeOf(t);
      if (r?.kind === 'ResTarget' && typeof r.body.name === 'string') set.add(r.body.name.toLowerCase());
    }
    const guards = conjuncts(n.body.whereClause).filter((c) => key === undefined || bound(c, key) === undefined);
    const guarded = guards.some((c) => [...columnsRead(c)].some((col) => set.has(col)));
    if (!guarded) {
      out.push({
        ...whereAt(n.body),
        message: `overwrites ${[...set].join(', ') || 'its columns'} with no guard: it can undo dual-write.`,
        detail:
          'A batch reads the old value, then writes; a row the application changed in between (through dual-write) gets the older value back, and a rerun rewrites every row again. ' +
          `Skip rows already written: \`AND ${[...set][0] ?? 'new_column'} IS NULL\` (or \`IS DISTINCT FROM\` the value).`,
      });
    }
  }
  return out;
}

export const rule = defineRule({
  meta: {
    id: 'sql-upsert',
    severity: 'error',
    description:
      "With `context.dialect: postgresql`, a backfill's `upsert` that is not a restartable batch: more than one statement, an `INSERT` without `ON CONFLICT` (or one that ignores `$1`/`$2`), an `UPDATE`/`DELETE` whose `WHERE` does not bound the key by `key >= $1 AND key < $2`, or an update with no guard that skips rows dual-write already wrote.",
    rationale:
      'The upsert runs once per batch, `$1` being the batch\'s first key (inclusive) and `$2` the next batch\'s first key (exclusive); a restart reruns the last batch. ' +
      'So it must touch only its batch\'s rows, be harmless when run twice, and never write an older value over one the application wrote through dual-write meanwhile. ' +
      "The key is the phase's `key`, or else the target table's single-column primary key in the schema at that point of the plan.",
    fixable: false,
  },
  check(ctx) {
    const keys = new Map<number, string>();
    for (const phase of ctx.plan.phases) {
      const k = phase.node.get('key')?.str()?.trim();
      if (phase.kind === 'backfill' && k) keys.set(phase.index, k);
    }
    for (const step of timelineOf(ctx.plan, ctx.files).upserts) {
      const { value, parse, statement } = step;
      if (value.phaseIndex === undefined) continue;
      const phase = ctx.plan.phases.find((p) => p.index === value.phaseIndex);
      const label = sqlValueLabel(value, phase ? (phase.id !== undefined ? `'${phase.id}'` : `#${phase.index + 1}`) : undefined);
      const text = value.text ?? '';
      if (step.index === 1) {
        const first = statementStart(text, statement);
        const r = sqlReportAt(value, first, first + Math.max(1, /^[A-Za-z]*/.exec(text.slice(first))![0].length), 'a second statement');
        ctx.report({
          span: r.span,
          ...(r.related ? { related: r.related } : {}),
          message: `${label} has more than one statement; it is run as one per batch.`,
          detail: 'Each batch runs the upsert once, in its own transaction, with `$1` and `$2` as its bounds. Write it as one statement (a CTE can chain several writes).',
          data: { sql: value.id },
        });
      }
      if (step.index > 0 || tooDeep(statement.stmt)) continue;
      for (const p of judge(value, parse, statement, step.catalog, keys.get(value.phaseIndex), step.judged)) {
        const r = sqlReportAt(value, p.start, p.end, p.message);
        ctx.report({ span: r.span, ...(r.related ? { related: r.related } : {}), message: `${label} ${p.message}`, detail: p.detail, data: { sql: value.id } });
      }
    }
  },
});
