/**
 * The plan's SQL as the SQL rules read it: each phase's statements, parsed,
 * with what they do; the tables the plan is about; where the point of no
 * return is.
 */
import type { Phase, PlanDocument } from '../parsing/plan';
import type { RuleContext } from '../linting/rule';
import { operationsOf, type Operation } from './operations';
import { parseSql, type SqlParse, type SqlStatement } from './parser';
import { sqlReportAt, sqlValues, type SqlValue } from './sqlValues';

export interface ParsedSql {
  value: SqlValue;
  parse: SqlParse;
  phase?: Phase;
}

/** The SQL values of a kind that parse (placeholders and values that do not parse are other rules' to report). */
export function parsedValues(ctx: RuleContext, kinds: ReadonlyArray<SqlValue['kind']>): ParsedSql[] {
  const out: ParsedSql[] = [];
  for (const value of sqlValues(ctx.plan, ctx.files)) {
    if (!kinds.includes(value.kind) || value.text === undefined) continue;
    const parse = parseSql(value.text);
    if (!parse || parse.error) continue;
    const phase = value.phaseIndex !== undefined ? ctx.plan.phases.find((p) => p.index === value.phaseIndex) : undefined;
    out.push(phase ? { value, parse, phase } : { value, parse });
  }
  return out;
}

/** A statement with what it does. */
export interface StatementOps {
  statement: SqlStatement;
  ops: Operation[];
}

export function statementsWithOps(parse: SqlParse): StatementOps[] {
  return parse.statements.map((statement) => ({ statement, ops: operationsOf(statement.stmt) }));
}

/** The tables a plan is about: those `data_volume` and `changes` name (lower case). */
export function affectedTables(plan: PlanDocument): Set<string> {
  const out = new Set<string>();
  const ctx = plan.root?.get('context');
  for (const key of ['data_volume', 'changes']) {
    for (const item of ctx?.get(key)?.items() ?? []) {
      const t = item.get('table')?.text()?.trim().toLowerCase();
      if (t) out.add(t.replace(/^public\./, ''));
    }
  }
  return out;
}

/** The tables `data_volume` lists: the ones whose size makes a scan or a rewrite an outage. */
export function largeTables(plan: PlanDocument): Map<string, { rows?: number }> {
  const out = new Map<string, { rows?: number }>();
  for (const item of plan.root?.get('context')?.get('data_volume')?.items() ?? []) {
    const t = item.get('table')?.text()?.trim().toLowerCase();
    if (!t) continue;
    const rows = item.get('rows')?.num();
    out.set(t.replace(/^public\./, ''), rows !== undefined ? { rows } : {});
  }
  return out;
}

/**
 * The index of the phase where irreversible work may start: the one
 * `point_of_no_return` names, else the first cleanup phase; undefined when
 * there is neither (then every phase stays reversible).
 */
export function irreversibleFrom(plan: PlanDocument): number | undefined {
  const id = plan.root?.get('point_of_no_return')?.str();
  const named = id !== undefined ? plan.phases.find((p) => p.id === id) : undefined;
  return (named ?? plan.phases.find((p) => p.kind === 'cleanup'))?.index;
}

/** `phase 'backfill'`. */
export function phaseRef(phase: Phase | undefined): string {
  if (!phase) return 'the plan';
  return `phase ${phase.id !== undefined ? `'${phase.id}'` : `#${phase.index + 1}`}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An identifier as it may be written: bare, or double-quoted. */
function ident(name: string | undefined): string {
  return name === undefined ? '[^\\s,;]+' : `(?:"${escapeRe(name)}"|${escapeRe(name)})(?![\\w$])`;
}

/** The words of a statement that say what an operation does (`DROP COLUMN name`, `CREATE INDEX`), as a pattern. */
function pointer(op: Operation): RegExp | undefined {
  const col = ident(op.column);
  const name = ident(op.name);
  const kinds: Partial<Record<Operation['kind'], string>> = {
    'drop-column': `\\bDROP\\s+(?:COLUMN\\s+)?(?:IF\\s+EXISTS\\s+)?${col}`,
    'alter-column-type': `\\bALTER\\s+(?:COLUMN\\s+)?${col}\\s+(?:SET\\s+DATA\\s+)?TYPE\\b`,
    'set-not-null': `\\bALTER\\s+(?:COLUMN\\s+)?${col}\\s+SET\\s+NOT\\s+NULL\\b`,
    'add-column': `\\bADD\\s+(?:COLUMN\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?${col}`,
    'drop-constraint': `\\bDROP\\s+CONSTRAINT\\s+(?:IF\\s+EXISTS\\s+)?${name}`,
    'validate-constraint': `\\bVALIDATE\\s+CONSTRAINT\\s+${name}`,
    'add-foreign-key': op.name !== undefined ? `\\bADD\\s+CONSTRAINT\\s+${name}` : '\\bADD\\s+FOREIGN\\s+KEY\\b',
    'add-check': op.name !== undefined ? `\\bADD\\s+CONSTRAINT\\s+${name}` : '\\bADD\\s+CHECK\\b',
    'add-unique': op.name !== undefined ? `\\bADD\\s+CONSTRAINT\\s+${name}` : '\\bADD\\s+(?:UNIQUE|PRIMARY\\s+KEY)\\b',
    'rename-column': `\\bRENAME\\s+(?:COLUMN\\s+)?${col}`,
    'rename-constraint': `\\bRENAME\\s+CONSTRAINT\\s+${name}`,
    'rename-table': '\\bRENAME\\s+TO\\b',
    'create-index': '\\bCREATE\\s+(?:UNIQUE\\s+)?INDEX\\b',
    'drop-table': '\\bDROP\\s+TABLE\\b',
    'drop-index': '\\bDROP\\s+INDEX\\b',
    'vacuum-full': '\\bVACUUM\\b',
    cluster: '\\bCLUSTER\\b',
    truncate: '\\bTRUNCATE\\b',
    delete: '\\bDELETE\\b',
  };
  const k = kinds[op.kind];
  return k === undefined ? undefined : new RegExp(k, 'i');
}

/**
 * Where to report an operation: the words of the statement that do it
 * (`DROP COLUMN name`, `CREATE INDEX`, `ALTER COLUMN c TYPE`); else the
 * table's name in the statement, or the statement's start.
 */
export function opReport(p: ParsedSql, st: SqlStatement, op: Operation, what: string): ReturnType<typeof sqlReportAt> {
  const text = p.value.text!;
  const from = firstWord(text, st.start);
  const own = text.slice(from, Math.max(from, st.end));
  const m = pointer(op)?.exec(own);
  if (m) return sqlReportAt(p.value, from + m.index, from + m.index + m[0].length, what);
  const s = op.location !== undefined ? p.parse.offsetOfByte(op.location) : from;
  const word = /^"[^"]*"|^[\w$.]+/.exec(text.slice(s, s + 200));
  return sqlReportAt(p.value, s, s + (word ? word[0].length : 1), what);
}

/** The first non-blank character at or after `from`. */
function firstWord(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}

/** The statement's own text (without leading white space). */
export function statementText(p: ParsedSql, st: SqlStatement): string {
  return p.value.text!.slice(firstWord(p.value.text!, st.start), st.end).trim();
}
