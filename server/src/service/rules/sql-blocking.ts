import type { RawEdit } from '../linting/fixes';
import type { PlanDocument } from '../parsing/plan';
import { defineRule } from '../linting/rule';
import { quoteIdent } from '../sql/catalog';
import { blocks, type Operation } from '../sql/operations';
import { largeTables, opReport, parsedValues, phaseRef, statementsWithOps, statementText, type ParsedSql } from '../sql/planSql';
import type { SqlStatement } from '../sql/parser';
import { sqlInsertion } from '../sql/sqlValues';

/** A table size in words: `48,000,000 rows`. */
function rowsText(rows: number | undefined): string {
  return rows !== undefined ? `${rows.toLocaleString('en-US')} rows` : 'a table `data_volume` lists';
}

export const rule = defineRule({
  meta: {
    id: 'sql-blocking',
    severity: 'error',
    description:
      "With `context.dialect: postgresql`, a statement that blocks writes (or reads) for a whole scan or rewrite of a table `data_volume` lists: `CREATE INDEX` without `CONCURRENTLY`, `ADD COLUMN` with a volatile `DEFAULT`, `ALTER COLUMN TYPE`, `SET NOT NULL` without a validated `CHECK (… IS NOT NULL)`, a foreign key or check added without `NOT VALID`, `VACUUM FULL`, `CLUSTER`.",
    rationale:
      'On a table of millions of rows, these statements hold a lock that blocks writes, or reads and writes, for as long as PostgreSQL scans or rewrites the whole table: minutes to hours of outage, and a queue of blocked connections behind them. ' +
      'Each has a safe form that does the long part without that lock: an index built `CONCURRENTLY`; a constraint added `NOT VALID` and validated afterwards under a weaker lock; `SET NOT NULL` after a validated `CHECK (col IS NOT NULL)`, which PostgreSQL then trusts instead of scanning; a new column filled by a batched backfill instead of a type change or a volatile default. ' +
      'The quick fix writes the safe form where it is mechanical.',
    fixable: true,
  },
  check(ctx) {
    const large = largeTables(ctx.plan);
    if (large.size === 0) return;
    // CHECK (c IS NOT NULL) constraints seen so far, per `table.column`: validated or not (phases in order).
    const notNullChecks = new Map<string, { name?: string; validated: boolean }>();
    const values = parsedValues(ctx, ['current_schema', 'sql', 'rollback_sql']).sort((a, b) => order(a) - order(b));
    for (const p of values) {
      for (const { statement, ops } of statementsWithOps(p.parse)) {
        for (const op of ops) {
          track(op, notNullChecks);
          if (p.value.kind === 'current_schema' || !op.table || !large.has(op.table)) continue;
          const problem = blockingProblem(op, notNullChecks);
          if (!problem) continue;
          const fix = fixFor(ctx.plan, p, statement, op);
          ctx.report({
            ...opReport(p, statement, op, problem.headline),
            message: `The ${p.value.kind === 'rollback_sql' ? 'rollback SQL' : 'SQL'} of ${phaseRef(p.phase)} ${problem.headline} on ${op.table}.`,
            detail: `\`${short(statementText(p, statement))}\` takes a lock that blocks ${blocks(op.lock) ?? 'writes'} of ${op.table} (${rowsText(large.get(op.table)?.rows)}) while it ${problem.why}. ${problem.safe}`,
            ...(fix ? { fix } : {}),
            data: { op: op.kind, table: op.table },
          });
        }
      }
    }
  },
});

/** current_schema first, then the phases in order, each phase's sql before its rollback_sql. */
function order(p: ParsedSql): number {
  if (p.value.kind === 'current_schema') return -1;
  return (p.phase?.index ?? 0) * 2 + (p.value.kind === 'rollback_sql' ? 1 : 0);
}

function track(op: Operation, checks: Map<string, { name?: string; validated: boolean }>): void {
  if (op.kind === 'add-check' && op.notNullOf && op.table) checks.set(`${op.table}.${op.notNullOf}`, { ...(op.name ? { name: op.name } : {}), validated: !op.notValid });
  if (op.kind === 'validate-constraint' && op.table) {
    for (const [k, c] of checks) if (k.startsWith(`${op.table}.`) && c.name === op.name) c.validated = true;
  }
}

function blockingProblem(op: Operation, checks: Map<string, { validated: boolean }>): { headline: string; why: string; safe: string } | undefined {
  switch (op.kind) {
    case 'create-index':
      return op.concurrent ? undefined : { headline: 'builds an index without CONCURRENTLY', why: 'reads the whole table', safe: 'Build it with `CREATE INDEX CONCURRENTLY` (outside a transaction block): it takes longer and blocks nothing.' };
    case 'drop-index':
      return op.concurrent ? undefined : { headline: 'drops an index without CONCURRENTLY', why: 'waits for every query on the table', safe: 'Drop it with `DROP INDEX CONCURRENTLY`.' };
    case 'add-column':
      return op.volatileDefault
        ? { headline: `adds column ${op.column} with a volatile DEFAULT`, why: 'rewrites every row with its own value', safe: 'Add the column without the default, set the default for new rows, and fill existing rows in a batched backfill.' }
        : undefined;
    case 'alter-column-type':
      return { headline: `changes the type of column ${op.column}`, why: 'rewrites the whole table', safe: 'Add a column of the new type, dual-write it, backfill it in batches, and swap it in: the method\'s expand and contract.' };
    case 'set-not-null':
      return checks.get(`${op.table}.${op.column}`)?.validated
        ? undefined
        : { headline: `sets column ${op.column} NOT NULL without a validated CHECK`, why: 'scans the whole table to prove it', safe: `First add \`CHECK (${op.column} IS NOT NULL) NOT VALID\` and \`VALIDATE\` it (a weaker lock): PostgreSQL then trusts the check and \`SET NOT NULL\` does not scan.` };
    case 'add-foreign-key':
      return op.notValid ? undefined : { headline: 'adds a foreign key without NOT VALID', why: 'checks every row', safe: 'Add it `NOT VALID` (new rows are checked at once), then `VALIDATE CONSTRAINT` it, which blocks neither reads nor writes.' };
    case 'add-check':
      return op.notValid ? undefined : { headline: 'adds a CHECK constraint without NOT VALID', why: 'checks every row', safe: 'Add it `NOT VALID`, then `VALIDATE CONSTRAINT` it under a weaker lock.' };
    case 'add-unique':
      return op.scansTable ? { headline: 'adds a unique constraint that builds its index', why: 'builds the index', safe: 'Build the unique index `CONCURRENTLY` first, then `ADD CONSTRAINT … UNIQUE USING INDEX` it.' } : undefined;
    case 'vacuum-full':
      return { headline: 'runs VACUUM FULL', why: 'rewrites the whole table', safe: 'Use plain `VACUUM`, or pg_repack to reclaim space online.' };
    case 'cluster':
      return { headline: 'runs CLUSTER', why: 'rewrites the whole table', safe: 'Use pg_repack to reorder the table online.' };
    default:
      return undefined;
  }
}

/** The safe form, where it is mechanical and the SQL is written in the plan. */
function fixFor(plan: PlanDocument, p: ParsedSql, st: SqlStatement, op: Operation): { title: string; edits: RawEdit[]; preferred: boolean } | undefined {
  const text = p.value.text!;
  const stmt = text.slice(st.start, st.end);
  const one = (title: string, edit: RawEdit | undefined): { title: string; edits: RawEdit[]; preferred: boolean } | undefined => (edit ? { title, edits: [edit], preferred: true } : undefined);
  if ((op.kind === 'create-index' || op.kind === 'drop-index') && !op.concurrent) {
    const m = /\bINDEX\b/i.exec(stmt);
    return m ? one('Add CONCURRENTLY', sqlInsertion(plan, p.value, st.start + m.index + m[0].length, ' CONCURRENTLY')) : undefined;
  }
  if ((op.kind === 'add-foreign-key' || op.kind === 'add-check') && !op.notValid && op.name && op.table) {
    // One subcommand only: NOT VALID goes at the statement's end, and the validation follows it.
    if ((stmt.match(/\bADD\b/gi) ?? []).length !== 1) return undefined;
    // On the statement's own line: the validation follows it, before its `;`.
    return one('Add it NOT VALID, then VALIDATE it', sqlInsertion(plan, p.value, st.end, ` NOT VALID; ALTER TABLE ${qualifiedIdent(op.table)} VALIDATE CONSTRAINT ${quoteIdent(op.name)}`));
  }
  if (op.kind === 'set-not-null' && op.table && op.column) {
    const name = quoteIdent(`${op.table.replace(/\./g, '_')}_${op.column}_not_null`);
    const table = qualifiedIdent(op.table);
    const column = quoteIdent(op.column);
    let at = st.start;
    while (at < text.length && /\s/.test(text[at])) at++;
    return one(
      'Add a validated CHECK first',
      sqlInsertion(plan, p.value, at, `ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${column} IS NOT NULL) NOT VALID;\nALTER TABLE ${table} VALIDATE CONSTRAINT ${name};`, true),
    );
  }
  return undefined;
}

/** A table name as the catalog keeps it (`schema.name`), written back as SQL. */
function qualifiedIdent(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

function short(s: string): string {
  const t = s.replace(/\s+/g, ' ');
  return t.length > 80 ? `${t.slice(0, 79)}…` : t;
}
