/**
 * The editor inside a plan's SQL: completion of the tables and columns that
 * exist at that point of the plan, hover on a table or column showing its
 * definition there, and go to definition from a name to the statement that
 * created it. All of it reads the catalog timeline (timeline.ts) and works
 * on SQL written in the plan; `{file: path}` SQL is the file's to edit.
 */
import type { PlanDocument } from '../parsing/plan';
import type { ServiceCompletion, ServiceHover } from './types';
import type { Span } from '../types';
import { constraintDefinition, indexDefinition, type Catalog, type Column, type Origin, type Table } from '../sql/catalog';
import { parseSql, tooDeep, type SqlParse, type SqlStatement } from '../sql/parser';
import { nameUses, type NameUse } from '../sql/references';
import { planSpan, sqlValues, type SqlFiles, type SqlValue } from '../sql/sqlValues';
import { walkSql, type SqlStep } from '../sql/timeline';

/** The inline SQL value under a plan offset, and the offset in its text. */
export function sqlValueAt(plan: PlanDocument, offset: number, files?: SqlFiles): { value: SqlValue; at: number; gap?: string } | undefined {
  for (const value of sqlValues(plan, files)) {
    const src = value.source;
    if (src.kind !== 'inline' || !src.offsets || src.approximate || value.text === undefined) continue;
    const o = src.offsets;
    const end = o[o.length - 1];
    if (offset < o[0]) continue;
    // Past the value's end on its own line, after spaces only (YAML drops a plain scalar's trailing
    // spaces; a new line of a block is indented before it has text): typing at the value's end.
    if (offset > end) {
      const gap = plan.text.slice(end, offset);
      if (/^[ \t]*$/.test(gap)) return { value, at: value.text.length, gap };
      continue;
    }
    // The last SQL offset whose place in the plan is at or before `offset`.
    let lo = 0;
    let hi = o.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (o[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { value, at: lo };
  }
  return undefined;
}

/** What the walk knows at a place in a SQL value: the statement there (when the value parses) and the schema it sees. */
interface Place {
  value: SqlValue;
  catalog: Catalog;
  step?: SqlStep;
}

/**
 * The schema at offset `at` of a value: before the statement there, for a
 * value that parses; else the schema the value starts from (a statement
 * being typed does not parse yet).
 */
function placeOf(plan: PlanDocument, files: SqlFiles | undefined, value: SqlValue, at: number): Place | undefined {
  if (value.kind === 'current_schema' || value.kind === 'target_schema') {
    const r = walkSql(plan, files, { enter: () => true });
    const catalog = value.kind === 'current_schema' ? r.current : r.target;
    if (!catalog) return undefined;
    const parse = value.text !== undefined ? parseSql(value.text) : undefined;
    const statement = parse && !parse.error ? statementAt(parse, at) : undefined;
    return statement ? { value, catalog, step: { value, parse: parse!, index: statement.index, statement: statement.statement, catalog, judged: false, unsure: new Set() } } : { value, catalog };
  }
  let place: Place | undefined;
  walkSql(plan, files, {
    enter: (v, catalog) => {
      if (v.id !== value.id) return undefined;
      const parse = v.text !== undefined ? parseSql(v.text) : undefined;
      if (!parse || parse.error || parse.statements.length === 0) {
        place = { value, catalog: catalog.clone() };
        return true;
      }
      return undefined;
    },
    step: (step) => {
      if (step.value.id !== value.id) return undefined;
      const next = step.parse.statements[step.index + 1];
      if (next !== undefined && at >= next.start) return undefined;
      place = { value, catalog: step.catalog, step };
      return true;
    },
  });
  return place;
}

function statementAt(parse: SqlParse, at: number): { statement: SqlStatement; index: number } | undefined {
  let found: { statement: SqlStatement; index: number } | undefined;
  parse.statements.forEach((statement, index) => {
    if (at >= statement.start) found = { statement, index };
  });
  return found;
}

/** The names a statement uses, in UTF-16 offsets of its value's text. */
function namesIn(step: SqlStep): Array<NameUse & { start: number; end: number }> {
  if (tooDeep(step.statement.stmt)) return [];
  const text = step.value.text ?? '';
  const options = { sql: text, stmtLocation: step.statement.byteStart, catalog: step.catalog, ...(step.statement.byteLength !== undefined ? { stmtLength: step.statement.byteLength } : {}) };
  return nameUses(step.statement.stmt, options).map((u) => {
    const start = step.parse.offsetOfByte(u.location);
    const end = u.length !== undefined ? step.parse.offsetOfByte(u.location + u.length) : start + u.name.length;
    return { ...u, start, end };
  });
}

/** The table or column under offset `at`, with the schema there. */
function nameAt(plan: PlanDocument, files: SqlFiles | undefined, value: SqlValue, at: number): { use: NameUse & { start: number; end: number }; place: Place } | undefined {
  const place = placeOf(plan, files, value, at);
  if (!place?.step) return undefined;
  // A name being created (CREATE TABLE x, ADD COLUMN c) is described by the schema after its statement.
  const uses = namesIn(place.step).filter((u) => u.start <= at && at <= u.end);
  const use = uses.find((u) => u.kind === 'column') ?? uses[0];
  return use ? { use, place } : undefined;
}

function columnLine(c: Column): string {
  return `${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''}${c.default !== undefined ? ` DEFAULT ${c.default}` : ''}${c.identity ? ` GENERATED ${c.identity.toUpperCase()} AS IDENTITY` : ''}${c.generated !== undefined ? ` GENERATED ALWAYS AS (${c.generated}) STORED` : ''}`;
}

/** Where the plan says it: "current_schema", "phase 'dual-write' sql". */
function whereLabel(plan: PlanDocument, origin: Origin | undefined): string | undefined {
  if (!origin) return undefined;
  const m = /^phases\[(\d+)\]\.(\w+)/.exec(origin.source);
  if (!m) return `\`${origin.source.replace(/^context\./, '')}\``;
  const phase = plan.phases.find((p) => p.index === Number(m[1]));
  return `phase ${phase?.id !== undefined ? `'${phase.id}'` : `#${Number(m[1]) + 1}`}'s \`${m[2]}\``;
}

/** Where in the plan the value described is: "in the check query of phase 'backfill'". */
function pointLabel(plan: PlanDocument, value: SqlValue): string {
  if (value.kind === 'current_schema') return 'in the current schema';
  if (value.kind === 'target_schema') return 'in the target schema';
  if (value.kind === 'seed') return 'when the rehearsal seeds it';
  const phase = plan.phases.find((p) => p.index === value.phaseIndex);
  const name = phase?.id !== undefined ? `'${phase.id}'` : `#${(value.phaseIndex ?? 0) + 1}`;
  const what: Partial<Record<SqlValue['kind'], string>> = { sql: 'in the SQL of', rollback_sql: 'in the rollback of', upsert: 'in the upsert of', query: 'in a check of' };
  return `${what[value.kind] ?? 'in'} phase ${name}`;
}

function tableMarkdown(plan: PlanDocument, catalog: Catalog, t: Table, value: SqlValue): string {
  const lines = [...t.columns.values()].map((c) => `  ${columnLine(c)}`);
  const extras = [...catalog.constraintsOf(t.name).map((c) => `-- ${constraintDefinition(c)}`), ...catalog.indexesOf(t.name).filter((i) => !i.constraint).map((i) => `-- ${indexDefinition(i)}`)];
  const from = whereLabel(plan, t.origin);
  return [
    `**table ${t.name}** ${pointLabel(plan, value)}${from ? ` (created in ${from})` : ''}`,
    '',
    '```sql',
    `${t.name} (`,
    lines.join(',\n'),
    ')',
    ...extras,
    '```',
  ].join('\n');
}

/** Hover on a table or column name inside SQL: its definition at that point of the plan. */
export function sqlHover(plan: PlanDocument, offset: number, files?: SqlFiles): ServiceHover | undefined {
  const hit = sqlValueAt(plan, offset, files);
  if (!hit) return undefined;
  const found = nameAt(plan, files, hit.value, hit.at);
  if (!found) return undefined;
  const { use, place } = found;
  const span = planSpan(hit.value, use.start, use.end);
  const catalog = place.catalog;
  if (use.kind === 'table') {
    const t = catalog.tables.get(use.name);
    if (t) return { contents: tableMarkdown(plan, catalog, t, hit.value), span };
    const rel = catalog.relations.get(use.name);
    if (rel) return { contents: `**${rel.kind} ${rel.name}** ${pointLabel(plan, hit.value)}${rel.columns ? `: ${rel.columns.join(', ')}` : ''}`, span };
    return use.used ? { contents: `**${use.name}**: no such table ${pointLabel(plan, hit.value)}.`, span } : undefined;
  }
  const t = use.table !== undefined ? catalog.tables.get(use.table) : undefined;
  const c = t?.columns.get(use.name);
  if (!t || !c) return use.used && t ? { contents: `**${t.name}.${use.name}**: no such column ${pointLabel(plan, hit.value)}.`, span } : undefined;
  const from = whereLabel(plan, c.origin);
  return { contents: [`**column ${t.name}.${c.name}** ${pointLabel(plan, hit.value)}${from ? ` (added in ${from})` : ''}`, '', '```sql', columnLine(c), '```'].join('\n'), span };
}

/** A place a definition is at: in the plan, or in a SQL file it names. */
export type SqlLocation = { span: Span } | { file: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } };

function locationOf(plan: PlanDocument, files: SqlFiles | undefined, origin: Origin | undefined, name: string): SqlLocation | undefined {
  if (!origin) return undefined;
  const value = sqlValues(plan, files).find((v) => v.id === origin.source);
  if (!value || value.text === undefined) return undefined;
  const parse = parseSql(value.text);
  if (!parse) return undefined;
  let start = parse.offsetOfByte(origin.location);
  // The origin is the defining node: a column definition starts at its name; a table's at `CREATE`: point at the name.
  const i = value.text.toLowerCase().indexOf(name.toLowerCase(), start);
  if (i >= 0 && i - start < 200) start = i;
  const end = Math.min(value.text.length, start + name.length);
  if (value.source.kind === 'file') {
    if (!value.source.absolute) return { span: value.source.fileNode.reportSpan };
    const before = value.text.slice(0, start).split('\n');
    const line = before.length - 1;
    const character = before[line].length;
    return { file: value.source.absolute, range: { start: { line, character }, end: { line, character: character + (end - start) } } };
  }
  return { span: planSpan(value, start, end) };
}

/** Go to definition from a table or column name inside SQL to the statement that created it. */
export function sqlDefinition(plan: PlanDocument, offset: number, files?: SqlFiles): SqlLocation | undefined {
  const hit = sqlValueAt(plan, offset, files);
  if (!hit) return undefined;
  const found = nameAt(plan, files, hit.value, hit.at);
  if (!found) return undefined;
  const { use, place } = found;
  if (use.kind === 'table') {
    const t = place.catalog.tables.get(use.name);
    return locationOf(plan, files, t?.origin ?? place.catalog.relations.get(use.name)?.origin, use.name.replace(/^.*\./, ''));
  }
  const c = use.table !== undefined ? place.catalog.tables.get(use.table)?.columns.get(use.name) : undefined;
  return locationOf(plan, files, c?.origin, use.name);
}

const TABLE_CONTEXT = /\b(?:from|join|into|update|table|exists)\s+(?:only\s+)?$/i;

/** Completion of table and column names inside SQL, from the schema at that point of the plan. */
export function sqlCompletions(plan: PlanDocument, offset: number, files?: SqlFiles): ServiceCompletion[] | undefined {
  const hit = sqlValueAt(plan, offset, files);
  if (!hit) return undefined;
  const text = hit.value.text ?? '';
  const place = placeOf(plan, files, hit.value, hit.at);
  if (!place) return [];
  const catalog = place.catalog;
  const before = text.slice(0, hit.at) + (hit.gap ?? '');
  const word = /[A-Za-z_][\w$]*$/.exec(before)?.[0] ?? '';
  const wordStart = before.length - word.length;
  const replace = planSpan(hit.value, wordStart, hit.at);
  const replaceSpan: Span = word === '' ? [offset, offset] : [replace[0], offset];
  const qualifier = /([A-Za-z_][\w$]*)\.$/.exec(before.slice(0, wordStart))?.[1]?.toLowerCase();
  const statementText = currentStatement(text, hit.at);
  const out: ServiceCompletion[] = [];
  const column = (t: Table, c: Column, sort: string): ServiceCompletion => ({
    label: c.name,
    kind: 'value',
    insertText: c.name,
    snippet: false,
    replace: replaceSpan,
    detail: `${t.name}.${columnLine(c)}`,
    sortText: `${sort}${c.name}`,
  });
  if (qualifier !== undefined) {
    const table = catalog.tables.get(qualifier) ?? catalog.tables.get(aliasTarget(statementText, qualifier) ?? '');
    if (table) for (const c of table.columns.values()) out.push(column(table, c, '0'));
    return out;
  }
  const tablesFirst = TABLE_CONTEXT.test(before.slice(0, wordStart));
  const mentioned = [...catalog.tables.values()].filter((t) => new RegExp(`(?<![\\w$])${escapeRe(t.name)}(?![\\w$])`, 'i').test(statementText));
  for (const t of catalog.tables.values()) {
    out.push({ label: t.name, kind: 'value', insertText: t.name, snippet: false, replace: replaceSpan, detail: `table (${t.columns.size} columns)`, documentation: tableMarkdown(plan, catalog, t, hit.value), sortText: `${tablesFirst ? '0' : '2'}${t.name}` });
  }
  if (!tablesFirst) {
    const seen = new Set<string>();
    for (const t of mentioned.length > 0 ? mentioned : [...catalog.tables.values()]) {
      for (const c of t.columns.values()) {
        if (seen.has(c.name)) continue;
        seen.add(c.name);
        out.push(column(t, c, '1'));
      }
    }
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The text of the statement around `at`: from the `;` before it to the `;` after it. */
function currentStatement(text: string, at: number): string {
  const start = text.lastIndexOf(';', at - 1) + 1;
  const end = text.indexOf(';', at);
  return text.slice(start, end < 0 ? text.length : end);
}

/** The table an alias stands for in a statement being typed (`FROM users u`, `JOIN orders AS o`). */
function aliasTarget(statement: string, alias: string): string | undefined {
  const re = /\b(?:from|join|update|into)\s+(?:only\s+)?([A-Za-z_][\w$.]*)\s+(?:as\s+)?([A-Za-z_][\w$]*)/gi;
  for (const m of statement.matchAll(re)) if (m[2].toLowerCase() === alias) return m[1].toLowerCase().replace(/^public\./, '');
  return undefined;
}
